#!/usr/bin/env python3
"""CI's user stage: drive the installed ``bpkg`` (a wheel in a venv with no dev extras) as a user would.

    python3 scripts/user_stage.py --bpkg /path/to/venv/bin/bpkg [--backend memory|neo4j]

From a scratch folder outside the checkout it runs the documented commands (validate, stats piped into
``head``, template in both formats, load), starts ``bpkg serve``, requests every GET operation of the
OpenAPI document (each enum value of its query parameters once) and every page kind (home, a node page
of every label, overview, trace, search, label lists, downloads, the docs and their assets). Any 5xx, a
traceback in any output, a missing file or a page without its expected text fails the run.

Standard library only, on purpose: it must not lean on anything the dev extras bring.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

# A valid value for every parameter an operation may require; a new required parameter without one fails.
EXAMPLES: dict[str, str] = {
    "node_id": "ap-17",
    "number": "17",
    "code": "PAK",
    "from": "org-eu",
    "to": "ap-17",
    "q": "resource centre",
    "focus": "pg-4",
}
FAILURES: list[str] = []


def fail(message: str) -> None:
    FAILURES.append(message)
    print(f"  FAIL {message}", flush=True)


def run(bpkg: str, *args: str, cwd: Path, pipe_to_head: bool = False, expect: int = 0) -> str:
    """Run a bpkg command as a user types it; its output must hold no traceback."""
    shown = "bpkg " + " ".join(args) + (" | head -1" if pipe_to_head else "")
    if pipe_to_head:
        proc = subprocess.run(  # noqa: S602 - a fixed pipeline, as a user types it
            f"'{bpkg}' {' '.join(args)} | head -1",
            shell=True,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
            executable="/bin/bash",
        )
    else:
        proc = subprocess.run([bpkg, *args], cwd=cwd, capture_output=True, text=True, timeout=300)  # noqa: S603
    out = proc.stdout + proc.stderr
    status = "ok" if proc.returncode == expect and "Traceback" not in out else "FAIL"
    print(f"  {status} {shown} (exit {proc.returncode})", flush=True)
    if proc.returncode != expect:
        fail(f"{shown}: exit {proc.returncode}, expected {expect}: {out[-2000:]}")
    elif "Traceback" in out:
        fail(f"{shown}: printed a traceback: {out[-2000:]}")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})  # noqa: S310 - 127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Server:
    def __init__(self, bpkg: str, backend: str, cwd: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"serve-{backend}.log"
        self.handle = self.log.open("w")
        args = [bpkg, "serve", "--backend", backend, "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(args, cwd=cwd, stdout=self.handle, stderr=subprocess.STDOUT)  # noqa: S603

    def wait(self) -> None:
        started = time.monotonic()
        while time.monotonic() - started < 90:
            if self.proc.poll() is not None:
                raise SystemExit(f"bpkg serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                status, _, body = fetch(self.url + "/health")
                if status == 200 and json.loads(body).get("status") == "ok":
                    print(f"  ok bpkg serve answered after {time.monotonic() - started:.1f} s", flush=True)
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"bpkg serve did not answer /health within 90 s:\n{self.log.read_text()}")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.handle.close()
        return self.log.read_text()


def check(server: Server, path: str, *, want: int = 200, text: str | None = None, kind: str | None = None) -> bytes:
    status, headers, body = fetch(server.url + path)
    ok = status == want
    if status >= 500:
        fail(f"GET {path}: {status}: {body[:500]!r}")
    elif not ok:
        fail(f"GET {path}: {status}, expected {want}: {body[:500]!r}")
    elif text is not None and text not in body.decode("utf-8", "replace"):
        fail(f"GET {path}: the answer lacks {text!r}")
    elif kind is not None and not headers.get("content-type", "").startswith(kind):
        fail(f"GET {path}: content-type {headers.get('content-type')}, expected {kind}")
    elif b"Traceback (most recent call last)" in body:
        fail(f"GET {path}: the answer shows a traceback")
    else:
        print(f"  ok {status} GET {path} ({len(body)} bytes)", flush=True)
    return body


def enum_values(schema: dict[str, Any]) -> list[str]:
    """The values of an enum parameter (also inside anyOf or an array's items), else none."""
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for option in schema.get("anyOf", []):
        found = enum_values(option)
        if found:
            return found
    if schema.get("type") == "array":
        return enum_values(schema.get("items", {}))
    return []


def api_operations(server: Server) -> None:
    spec = json.loads(check(server, "/openapi.json", kind="application/json"))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            params = operation.get("parameters", [])
            base: dict[str, str] = {}
            concrete = path
            for param in params:
                if not param.get("required"):
                    continue
                if param["name"] not in EXAMPLES:
                    fail(f"GET {path}: no example value for required parameter {param['name']!r}")
                    break
                if param["in"] == "path":
                    concrete = concrete.replace("{" + param["name"] + "}", urllib.parse.quote(EXAMPLES[param["name"]]))
                else:
                    base[param["name"]] = EXAMPLES[param["name"]]
            else:
                check(server, concrete + ("?" + urllib.parse.urlencode(base) if base else ""))
                for param in params:
                    if param["in"] != "query" or param.get("required"):
                        continue
                    for value in enum_values(param.get("schema", {})):
                        query = urllib.parse.urlencode({**base, param["name"]: value})
                        check(server, f"{concrete}?{query}")


def pages(server: Server) -> None:
    check(server, "/", text="Budapest Process", kind="text/html")
    labels = json.loads(check(server, "/stats"))["labels"]
    for label, count in labels.items():
        if not count:
            continue
        check(server, f"/view/label/{label}", kind="text/html")
        first = json.loads(check(server, f"/nodes?label={label}&limit=1"))["items"][0]
        body = check(server, f"/view/node/{urllib.parse.quote(first['id'])}", kind="text/html")
        if first["name"].split("<")[0][:20] not in body.decode():
            fail(f"/view/node/{first['id']}: the page does not show the node's name")
        check(server, f"/view/node/{urllib.parse.quote(first['id'])}?download=1", kind="text/html")
    check(server, "/view/overview", kind="text/html")
    check(server, "/view/overview?download=1", kind="text/html")
    check(server, "/view/trace/activity-mrc-lahore?direction=up", kind="text/html")
    check(server, "/view/trace/pg-4?direction=down&download=1", kind="text/html")
    check(server, "/view/search?q=resource+centre", text="Resource", kind="text/html")
    # The policy officer's questions, each answered by a page of its own (and the same as a file).
    check(server, "/view/action-points", text="only through its goal", kind="text/html")
    check(server, "/view/action-points/table?format=csv", text="status", kind="text/csv")
    check(server, "/view/action-points/table?format=xlsx")
    check(server, "/view/gaps", kind="text/html")
    check(server, "/view/gaps/table?format=csv", kind="text/csv")
    check(server, "/view/country/PAK", text="Pakistan", kind="text/html")
    check(server, "/view/country/PAK/table?format=xlsx")
    check(server, "/view/country/PAK?download=1", text="Pakistan", kind="text/html")
    for rows, cols in (("goal", "component"), ("action_point", "country"), ("action_point", "project")):
        check(server, f"/view/matrix?rows={rows}&cols={cols}", kind="text/html")
        check(server, f"/view/matrix/table?rows={rows}&cols={cols}&format=csv", kind="text/csv")
    check(server, "/view/paths?from=org-eu&to=ap-17", text="European Union", kind="text/html")
    check(server, "/view/flow", kind="text/html")
    for node_id in ("pg-4", "country-pak", "component-mrc", "project-srpp"):  # a timeline of each kind
        check(server, f"/view/timeline/{node_id}", text="The same as a table", kind="text/html")
        check(server, f"/view/timeline/{node_id}/table?format=csv", text="activities running", kind="text/csv")
    check(server, "/view/timeline/pg-4/table?format=xlsx")
    check(server, "/view/timeline/ap-17", want=422, kind="text/html")
    for path in ("/view/gaps", "/view/node/ap-17", "/view/country/PAK", "/view/matrix", "/view/trace/pg-4"):
        check(server, f"{path}?as_of=2020", text="as of 31 December 2020", kind="text/html")
    check(server, "/view/gaps?as_of=2020-13", want=422, text="as_of", kind="text/html")
    check(server, "/view/node/no-such-node", want=404, kind="text/html")
    for brief in ("/view/node/ap-17/brief.pdf", "/view/country/PAK/brief.pdf"):
        if not check(server, brief, kind="application/pdf").startswith(b"%PDF"):
            fail(f"{brief} is not a PDF")
    check(server, "/view/timeline/activity-mrc-lahore", text="The same as a table", kind="text/html")
    check(server, "/export/graph.ttl", text="skos:", kind="text/turtle")
    check(server, "/export/iati.xml", text="iati-activities")
    check(server, "/view/links/ap-17?group=Responded+to+by", text="Responded to by", kind="text/html")
    check(server, "/view/links/ap-17?group=nonsense", want=422, text="group", kind="text/html")
    check(server, "/view/node/ap-17?offset=50", kind="text/html")
    docs = check(server, "/docs", kind="text/html").decode()
    for asset in ("/docs-static/swagger-ui-bundle.js", "/docs-static/swagger-ui.css"):
        if asset not in docs:
            fail(f"/docs does not load {asset}")
        check(server, asset)


IMPORT_ALL = """
import importlib, pkgutil
import bpkg.app, graph_schema, loaders
for package in (app, graph_schema, loaders):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
print("imported every module")
"""


def commands(bpkg: str, scratch: Path, backend: str) -> None:
    if backend == "memory":
        python = str(Path(bpkg).parent / "python")
        proc = subprocess.run([python, "-c", IMPORT_ALL], cwd=scratch, capture_output=True, text=True, timeout=300)  # noqa: S603
        if proc.returncode != 0:
            fail(f"a module of the installed package does not import: {proc.stderr[-2000:]}")
        else:
            print("  ok every module of the installed package imports", flush=True)
        run(bpkg, "validate", cwd=scratch)
        run(bpkg, "stats", cwd=scratch, pipe_to_head=True)
        for name in ("plan.xlsx", "plan.csv"):
            run(bpkg, "template", name, cwd=scratch)
            target = scratch / name
            if not target.is_file() or target.stat().st_size == 0:
                fail(f"bpkg template {name} wrote no file")
            elif name.endswith(".xlsx") and not zipfile.is_zipfile(target):
                fail(f"bpkg template {name} is not a workbook")
        run(bpkg, "template", "plan.txt", cwd=scratch, expect=2)
        for fmt, name in (("ttl", "graph.ttl"), ("jsonld", "graph.jsonld"), ("iati", "iati.xml"), ("shapes", "s.ttl")):
            run(bpkg, "export", name, "--format", fmt, cwd=scratch)
            if not (scratch / name).is_file() or (scratch / name).stat().st_size == 0:
                fail(f"bpkg export {name} --format {fmt} wrote no file")
        saved = scratch / "saved-pages"
        saved.mkdir()
        run(bpkg, "sources", "check", "--from", str(saved), cwd=scratch)  # offline: every page "no saved copy"
        run(bpkg, "load", "--backend", "memory", "--prune", "--dry-run", cwd=scratch, expect=2)  # Neo4j's flags
        run(bpkg, "diff", "budapest-process", "budapest-process", "--exit-code", cwd=scratch)
        run(bpkg, "diff", "budapest-process", "budapest-process", "--format", "html", "--output", "d.html", cwd=scratch)
        bad = scratch / "bad"
        bad.mkdir()
        (bad / "manifest.yaml").write_text("name: bad\nversion: '1'\nfiles: [{path: nodes.yaml, format: graph}]\n")
        (bad / "nodes.yaml").write_text("nodes:\n  - {id: ap-1, label: ActionPoint}\n")
        run(bpkg, "validate", "bad", cwd=scratch, expect=1)
        run(bpkg, "serve", "--dataset", "bad", "--port", str(free_port()), cwd=scratch, expect=1)
    else:
        run(bpkg, "load", "--backend", "neo4j", cwd=scratch)
        run(bpkg, "stats", "--backend", "neo4j", cwd=scratch, pipe_to_head=True)
        dry = run(bpkg, "load", "--backend", "neo4j", "--prune", "--dry-run", cwd=scratch)
        if "nothing" not in dry.lower() and "would" not in dry.lower():
            fail(f"bpkg load --prune --dry-run did not say what it would do: {dry[-500:]}")
        run(bpkg, "diff", "--neo4j", "budapest-process", "--exit-code", cwd=scratch)
        run(bpkg, "diff", "--neo4j", "budapest-process", "--format", "json", "--output", "d.json", cwd=scratch)
        if '"same": true' not in (scratch / "d.json").read_text(encoding="utf-8"):
            fail("bpkg diff --neo4j after loading the same dataset found differences")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bpkg", required=True, help="the bpkg command of the wheel venv")
    parser.add_argument("--backend", choices=["memory", "neo4j"], default="memory")
    args = parser.parse_args()
    bpkg = str(Path(args.bpkg).resolve())
    with tempfile.TemporaryDirectory(prefix="bpkg-user-") as folder:
        scratch = Path(folder)
        print(f"== user stage ({args.backend}) from {scratch}", flush=True)
        commands(bpkg, scratch, args.backend)
        server = Server(bpkg, args.backend, scratch)
        try:
            server.wait()
            api_operations(server)
            pages(server)
        finally:
            log = server.stop()
        if "Traceback" in log:
            fail(f"bpkg serve logged a traceback:\n{log[-3000:]}")
    if FAILURES:
        print(f"user stage ({args.backend}): {len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print(f"user stage ({args.backend}): everything answered", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
