"""What ``bpkg load`` spends in Python before its first write, this checkout against another, alternating.

    python -m benchmarks.validate_speed --dataset /tmp/synth-100k --against /work/main [--rounds 3]
        [--steps check,validate]

Each step runs in its own process, with the ``bpkg`` of one checkout (``PYTHONPATH``), in turn for this checkout and
for ``--against`` (the order swapped every round), so both meet the same machine:

- ``check``: ``check_dataset`` (what ``load_dataset`` and ``bpkg load`` run: read and validate every file, build the
  batch, the warnings), then the batch's row hashes and its fingerprint (what the Neo4j sink computes before it
  reads the database);
- ``validate``: ``validate_dataset`` (``bpkg validate``: the same checks, holding only what they need).

Printed per run: seconds of each part (wall clock); the processor seconds of the validation (``validate cpu s``)
and of the whole step (``cpu s``), the steadier figures on a shared machine; the peak resident memory the step added
to the process (``ru_maxrss`` less the resident size before it); the load average; and a digest of the result (the
fingerprint and warnings; for ``validate`` its counts and warnings), which must be the same for both checkouts.
Then, per step, the median of each side and the ratio now / before. A dataset is made with
``bpkg synth --relationships N --output DIR``; at 1M give it ``BPKG_MAX_DATASET_BYTES=200000000`` (its files hold
about 100 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

CHILD = r"""
import hashlib, json, os, resource, sys, time

def rss_kb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

from bpkg.loaders.dataset import check_dataset, validate_dataset
step, dataset = sys.argv[1], sys.argv[2]
out = {"step": step, "bpkg": __import__("bpkg").__file__}
before = rss_kb()
cpu = time.process_time()
if step == "check":
    t0 = time.perf_counter()
    checked = check_dataset(dataset)
    t1, c1 = time.perf_counter(), time.process_time()
    hashes = checked.batch.row_hashes()
    t2 = time.perf_counter()
    fingerprint = hashes.fingerprint()
    t3 = time.perf_counter()
    out |= {"validate s": t1 - t0, "row hashes s": t2 - t1, "fingerprint s": t3 - t2}
    out["validate cpu s"] = c1 - cpu
    out["rows"] = len(checked.batch.nodes) + len(checked.batch.rels)
    warnings = [str(w) for w in checked.warnings]
    out["digest"] = hashlib.sha256(json.dumps([fingerprint, warnings]).encode()).hexdigest()[:12]
else:
    t0 = time.perf_counter()
    validated = validate_dataset(dataset)
    t1 = time.perf_counter()
    out["validate s"] = t1 - t0
    out["validate cpu s"] = time.process_time() - cpu
    out["rows"] = validated.stats.nodes + validated.stats.relationships
    shown = [repr(validated.stats), [str(w) for w in validated.warnings]]
    out["digest"] = hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:12]
out["cpu s"] = time.process_time() - cpu
out["peak MB"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
out["load avg"] = os.getloadavg()[0]
print(json.dumps(out))
"""

PARTS = ("validate s", "row hashes s", "fingerprint s")


def run(checkout: str, step: str, dataset: str) -> dict[str, Any]:
    """One step in a fresh process, with the ``bpkg`` of ``checkout`` (its folder first on the path)."""
    env = {**os.environ, "PYTHONPATH": checkout}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, step, dataset], env=env, cwd=checkout, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{checkout}: {step} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["bpkg"].startswith(str(Path(checkout).resolve())):
        raise SystemExit(f"{checkout}: the child imported {result['bpkg']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True, help="a dataset folder (bpkg synth --output)")
    parser.add_argument("--against", required=True, help="the checkout to compare with (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", default="check,validate", help="check, validate or both, comma-separated")
    args = parser.parse_args()
    sides = {"now": str(Path(__file__).resolve().parents[1]), "before": str(Path(args.against).resolve())}
    steps = [s for s in args.steps.split(",") if s]
    runs: list[tuple[str, dict[str, Any]]] = []
    print(f"dataset {args.dataset}; now {sides['now']}; before {sides['before']}\n")
    print(
        "| round | step | code | validate s | row hashes s | fingerprint s | total s | validate cpu s | cpu s | "
        "peak MB | load avg | digest |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in range(args.rounds):
        for step in steps:
            for side in ("before", "now") if n % 2 == 0 else ("now", "before"):
                result = run(sides[side], step, args.dataset)
                runs.append((side, result))
                parts = [f"{result[p]:.2f}" if p in result else "-" for p in PARTS]
                total = sum(result.get(p, 0.0) for p in PARTS)
                print(
                    f"| {n + 1} | {step} | {side} | {' | '.join(parts)} | {total:.2f} | "
                    f"{result['validate cpu s']:.2f} | {result['cpu s']:.2f} | "
                    f"{result['peak MB']:.0f} | "
                    f"{result['load avg']:.1f} | {result['digest']} |",
                    flush=True,
                )
    print("\nMedians, now / before (same digest on both sides: the same result):\n")
    print("| step | part | before s | now s | now / before |")
    print("|---|---|---:|---:|---:|")
    for step in steps:
        digests = {r["digest"] for _, r in runs if r["step"] == step}
        for part in (*PARTS, "total s", "validate cpu s", "cpu s", "peak MB"):
            medians = []
            for side in ("before", "now"):
                values = [
                    sum(r.get(p, 0.0) for p in PARTS) if part == "total s" else r.get(part)
                    for s, r in runs
                    if s == side and r["step"] == step
                ]
                found = [v for v in values if v is not None]
                medians.append(statistics.median(found) if found else None)
            before, now = medians
            if before is None or now is None:
                continue
            ratio = f"{now / before:.2f}" if before else "-"
            print(f"| {step} | {part} | {before:.2f} | {now:.2f} | {ratio} |")
        print(f"| {step} | same result | {'yes' if len(digests) == 1 else 'NO: ' + ', '.join(sorted(digests))} | | |")


if __name__ == "__main__":
    main()
