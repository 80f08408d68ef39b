"""What the loading contract costs (issues 16 and 17): relationship writes that cannot make a second copy
beside plain ``CREATE``, the Python before a load's first write, and whole loads.

    python -m benchmarks.load_contract [--relationships 20000] [--seed 7] [--batch-size 5000] [--rounds 2]
    python -m benchmarks.load_contract --python [--relationships 100000] [--rounds 2]
    python -m benchmarks.load_contract --loads [--relationships 100000] [--against OTHER_CHECKOUT] [--rounds 2]

Default, on a generated dataset (``bpkg synth``): a load into an empty database; then the relationship write
phase alone on the same nodes with no relationship present, each way in turn for ``--rounds`` rounds: the
sink's ``CREATE_RELS`` (rows carry their key under the type's uniqueness constraint), plain ``CREATE`` of the
same rows without the key (no constraint to maintain: what the sink did before issue 16), and ``UPSERT_RELS``
(the existence check in the statement that issue 16 used for every row); then a reload with nothing changed
(marker + counts per label and type), the counts query alone, and a reload whose marker disagrees (the full
compare of per-row hashes).

``--python``: the Python a load runs before its first write, without Neo4j: before issue 17 (the fingerprint
from each row's canonical text, then every row's hash again for the sink) against now (each row's hash once,
the fingerprint from the hashes), interleaved.

``--loads``: whole loads into an empty database, then unchanged (fingerprint short cut), unchanged with the
full compare (marker removed), 1 % of the relationships changed. With ``--against`` the same steps run, in
turn, with the ``bpkg`` of another checkout (``PYTHONPATH``), for an old/new comparison in one run.

Not a test: it prints tables. Neo4j settings come from the environment. The database is WIPED first: point it
at a throwaway server.

Neo4j settings come from the environment. The database is WIPED first: point it at a throwaway server.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final, LiteralString

from benchmarks.scale import changed
from bpkg.app.neo4j_driver import open_driver
from bpkg.app.settings import Settings
from bpkg.loaders import GraphBatch, load_dataset, neo4j_sink, synth
from bpkg.loaders.batch import canonical

PLAIN_WAY: Final = "plain CREATE without the key"
"""The name of the baseline write in the tables (the others are divided by it)."""
# What the sink ran before issue 16 for relationships its diff did not find: no existence check.
PLAIN_CREATE: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[new:$(row.type)]->(b)
SET new = row.props, new._owners = [$owner]
"""
DELETE_RELS: Final[LiteralString] = "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS"
WIPE: Final[LiteralString] = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
FORGET_MARKER: Final[LiteralString] = "MATCH (d:Dataset) REMOVE d.fingerprint"


def generated(relationships: int, seed: int) -> GraphBatch:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "synth"
        synth.write(folder, relationships, seed)
        return load_dataset(str(folder))


def wipe(driver: Any, database: str) -> None:
    with driver.session(database=database) as session:
        session.run(DELETE_RELS).consume()
        session.run(WIPE).consume()


def fingerprint_before_issue_17(batch: GraphBatch) -> str:
    """The fingerprint as it was computed before issue 17: each row's canonical text, hashed in key order."""
    digest = hashlib.sha256()
    for node in sorted(batch.nodes, key=lambda n: n.id):
        digest.update(f"{node.label.value}\x1f{node.id}\x1f{canonical(node.props)}\x1e".encode())
    for rel in sorted(batch.rels, key=lambda r: r.key):
        digest.update(f"{rel.source}\x1f{rel.type.value}\x1f{rel.target}\x1f{canonical(rel.props)}\x1e".encode())
    return digest.hexdigest()


def python_part(args: argparse.Namespace) -> list[str]:
    """The Python before a load's first write (fingerprint, rows' hashes, the rows the plan writes), old and new."""
    batch = generated(args.relationships, args.seed)
    lines = [
        f"Python before the first write, {len(batch.nodes):,} nodes and {len(batch.rels):,} relationships",
        "",
        "| round | step | before issue 17 s | now s | now / before |",
        "|---:|---|---:|---:|---:|",
    ]

    def before() -> tuple[float, float]:
        start = time.perf_counter()
        fingerprint_before_issue_17(batch)
        middle = time.perf_counter()
        hashes = batch.row_hashes()  # what the sink computed then too: one hash per row
        _ = neo4j_sink._node_rows(batch, hashes), neo4j_sink._rel_rows(batch, hashes)
        return middle - start, time.perf_counter() - middle

    def now() -> tuple[float, float]:
        start = time.perf_counter()
        hashes = batch.row_hashes()
        hashes.fingerprint()
        middle = time.perf_counter()
        _ = neo4j_sink._node_rows(batch, hashes), neo4j_sink._rel_rows(batch, hashes)
        return middle - start, time.perf_counter() - middle

    for round_ in range(1, args.rounds + 1):
        old, new = before(), now()
        for what, a, b in (
            ("fingerprint (now: every row's hash, then the fingerprint from them)", old[0], new[0]),
            ("the rows to write (before: every row's hash too)", old[1], new[1]),
            ("together", sum(old), sum(new)),
        ):
            lines.append(f"| {round_} | {what} | {a:.2f} | {b:.2f} | {b / a:.2f} |")
    return lines


def loads_part(args: argparse.Namespace) -> list[str]:
    """Whole loads with the ``bpkg`` this process imports: one table row per step."""
    batch = generated(args.relationships, args.seed)
    settings = Settings(backend="neo4j")
    database = settings.neo4j_database
    where = str(Path(neo4j_sink.__file__).parents[2])
    lines: list[str] = []
    with open_driver(settings) as driver:
        wipe(driver, database)
        some = changed(batch, 0.01)
        for what, content, prune in (
            ("empty", batch, False),
            ("unchanged: fingerprint", batch, False),
            ("unchanged: full compare", batch, True),
            ("1 % changed", some, False),
        ):
            if what == "unchanged: full compare":
                driver.execute_query(FORGET_MARKER, database_=database)
            load = os.getloadavg()[0]
            batches: list[tuple[float, int]] = []  # when each write transaction committed, rows written by then

            def committed(done: int, _total: int, batches: list[tuple[float, int]] = batches) -> None:
                batches.append((time.perf_counter(), done))

            start = time.perf_counter()
            summary = neo4j_sink.write_batch(
                driver,
                content,
                database,
                prune=prune,
                batch_size=args.batch_size,
                on_batch=committed,
            )
            seconds = time.perf_counter() - start
            written = summary.rels.created + summary.rels.updated + summary.nodes.created + summary.nodes.updated
            first = f"{batches[0][0] - start:.1f}" if batches else "-"
            rate = (
                f"{(batches[-1][1] - batches[0][1]) / (batches[-1][0] - batches[0][0]):,.0f}"
                if len(batches) > 1
                else "-"
            )
            lines.append(
                f"| {where} | {what} | {seconds:.1f} | {len(batch.rels) / seconds:,.0f} | {written:,} | {first} "
                f"| {rate} | {load:.1f} |"
            )
    return lines


def loads_compared(args: argparse.Namespace) -> list[str]:
    """``loads_part`` for this checkout and, in turn, for ``--against`` (each in its own process)."""
    here = str(Path(__file__).resolve().parents[1])
    checkouts = [here] + ([str(Path(args.against).resolve())] if args.against else [])
    lines = [
        f"Whole loads, {args.relationships:,} relationships (seed {args.seed}), batch size {args.batch_size}",
        "",
        "| code | load | seconds | rels/s | rows written | first commit s | rows/s after it | load avg |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for _ in range(args.rounds):
        for checkout in reversed(checkouts) if _ % 2 else checkouts:
            env = {**os.environ, "PYTHONPATH": checkout}
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--loads-here", *forwarded(args)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                cwd=checkout,
            ).stdout
            lines += out.strip().splitlines()
    return lines


def forwarded(args: argparse.Namespace) -> list[str]:
    return [
        "--relationships",
        str(args.relationships),
        "--seed",
        str(args.seed),
        "--batch-size",
        str(args.batch_size),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--relationships", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=neo4j_sink.BATCH_SIZE)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--python", action="store_true", help="only the Python before the first write")
    parser.add_argument("--loads", action="store_true", help="only whole loads")
    parser.add_argument("--against", help="with --loads: another checkout whose bpkg runs the same loads in turn")
    parser.add_argument("--loads-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.python:
        print("\n".join(python_part(args)))
    elif args.loads_here:
        print("\n".join(loads_part(args)))
    elif args.loads:
        print("\n".join(loads_compared(args)))
    else:
        print("\n".join(writes_part(args)))


def writes_part(args: argparse.Namespace) -> list[str]:
    from bpkg.graph_schema import REL_KEY  # here: --loads also runs this file with the bpkg of older checkouts

    settings = Settings(backend="neo4j")
    database = settings.neo4j_database
    batch = generated(args.relationships, args.seed)
    keyed = list(neo4j_sink._rel_rows(batch).values())
    # The same rows without their key: no uniqueness constraint to maintain (plain CREATE, as before issue 16).
    bare = [{**row, "props": {k: v for k, v in row["props"].items() if k != REL_KEY}} for row in keyed]
    lines = ["| step | seconds | note |", "|---|---:|---|"]
    with open_driver(settings) as driver:
        wipe(driver, database)

        def timed(what: str, note: str, work: object) -> float:
            start = time.perf_counter()
            assert callable(work)
            work()
            seconds = time.perf_counter() - start
            lines.append(f"| {what} | {seconds:.2f} | {note} |")
            return seconds

        timed(
            "load into an empty database",
            f"{len(batch.nodes):,} nodes, {len(batch.rels):,} relationships",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
        lease = neo4j_sink.Lease(driver, database)
        lease.take()
        ways: list[tuple[str, LiteralString, list[dict[str, Any]]]] = [
            ("CREATE_RELS (key under the type's uniqueness constraint)", neo4j_sink.CREATE_RELS, keyed),
            (PLAIN_WAY, PLAIN_CREATE, bare),
            ("UPSERT_RELS (existence check in the statement)", neo4j_sink.UPSERT_RELS, keyed),
        ]
        try:
            results: dict[str, list[float]] = {name: [] for name, _, _ in ways}
            for round_ in range(args.rounds):
                for name, query, rows in ways if round_ % 2 == 0 else ways[::-1]:
                    with driver.session(database=database) as session:
                        session.run(DELETE_RELS).consume()

                        def write(
                            query: LiteralString = query, rows: list[dict[str, Any]] = rows, session: object = session
                        ) -> None:
                            for start in range(0, len(rows), args.batch_size):
                                chunk = rows[start : start + args.batch_size]
                                neo4j_sink._write_rows(
                                    session,  # type: ignore[arg-type]
                                    lease,
                                    query,
                                    {"rows": chunk, "owner": batch.info.name, "legacy": []},
                                )

                        results[name].append(timed(f"relationships: {name}", f"{len(rows):,} rows", write))
            plain = min(results[PLAIN_WAY])
            for name, _, _ in ways:
                lines.append(f"| best of {args.rounds}: {name} / {PLAIN_WAY} | {min(results[name]) / plain:.2f}x | |")
            # Leave the relationships as a load writes them, for the reloads below.
            with driver.session(database=database) as session:
                session.run(DELETE_RELS).consume()
        finally:
            lease.give_back()
        driver.execute_query(FORGET_MARKER, database_=database)
        timed(
            "load of the relationships into the database of its nodes",
            "marker removed first: compare, then CREATE_RELS",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
        timed(
            "reload, nothing changed",
            "marker + counts per label and type",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
        timed(
            "counts per label and type alone",
            "one query",
            lambda: neo4j_sink._owned_counts(driver, database, batch.info.name),
        )
        driver.execute_query(FORGET_MARKER, database_=database)
        timed(
            "reload, marker disagrees",
            "full compare of per-row hashes",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
    return lines


if __name__ == "__main__":
    main()
