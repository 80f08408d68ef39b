"""Cypher safety: only schema labels and types, no Cypher built from strings, reads that cannot write.

(a) Every label and relationship type written in a Cypher constant exists in ``graph_schema``.
(b) The source of ``app``, ``loaders`` and ``graph_schema`` builds no Cypher with f-strings, ``%``,
    ``.format``, ``join`` or ``+`` (only ``bpkg/graph_schema/constraints.py`` may, for DDL from the enums),
    and every ``execute_query``/``run`` receives a module constant -- directly, through ``neo4j.Query``,
    through a ``LiteralString`` parameter whose every caller passes one, or by looping over a literal
    table of them.
(c) The real Neo4j refuses a write sent the way the adapter sends reads.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Final

import neo4j
import pytest

from bpkg.app.settings import Settings
from bpkg.app.store import search
from bpkg.app.store.neo4j import Neo4jStore
from bpkg.app.store.neo4j import derive as derive_queries
from bpkg.app.store.neo4j import keep as keep_queries
from bpkg.app.store.neo4j import queries as read_queries
from bpkg.graph_schema import (
    DATASET_LABEL,
    ENTITY_LABEL,
    FULLTEXT_INDEX,
    HEADLINE_GOAL_ORDER_LABEL,
    HEADLINE_GOAL_ROW_LABEL,
    HEADLINE_LABEL,
    HEADLINE_ORDER_LABEL,
    HEADLINE_ROW_LABEL,
    KEPT_ANSWER_LABEL,
    LEASE_LABEL,
    Label,
    RelType,
    constraint_ddl,
    index_ddl,
)
from bpkg.loaders import neo4j_sink

ROOT: Final = Path(__file__).resolve().parents[2]
SCANNED: Final = ("bpkg",)
# The one place allowed to assemble Cypher: DDL, which cannot take parameters, generated from enums.
DDL_BUILDER: Final = "bpkg.graph_schema.constraints"
CYPHER_WORDS: Final = re.compile(
    r"\b(MATCH|MERGE|CREATE|RETURN|DELETE|DETACH|UNWIND|REMOVE|FOREACH|YIELD|LOAD CSV|CALL [a-z{(]|SET [a-z])\b"
)
QUERY_METHODS: Final = ("execute_query", "run")
KNOWN_LABELS: Final = {label.value for label in Label} | {
    ENTITY_LABEL,
    DATASET_LABEL,
    LEASE_LABEL,
    HEADLINE_LABEL,
    HEADLINE_ROW_LABEL,
    KEPT_ANSWER_LABEL,
    HEADLINE_GOAL_ORDER_LABEL,
    HEADLINE_GOAL_ROW_LABEL,
    HEADLINE_ORDER_LABEL,
}
KNOWN_TYPES: Final = {t.value for t in RelType}


# -- (a) labels and types -----------------------------------------------------------------------------
def cypher_constants(module: ModuleType) -> dict[str, str]:
    return {
        name: value
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and CYPHER_WORDS.search(value)
    }


def all_cypher() -> dict[str, str]:
    found = {f"queries.{k}": v for k, v in cypher_constants(read_queries).items()}
    found |= {f"neo4j_sink.{k}": v for k, v in cypher_constants(neo4j_sink).items()}
    found |= {f"derive.{k}": v for k, v in cypher_constants(derive_queries).items()}
    found |= {f"keep.{k}": v for k, v in cypher_constants(keep_queries).items()}
    found |= {f"ddl[{i}]": v for i, v in enumerate([*constraint_ddl(), *index_ddl()])}
    return found


def names_in(cypher: str) -> tuple[set[str], set[str]]:
    """(labels, relationship types) written literally as ``:Name`` in a Cypher text."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "''", cypher)  # string literals are not labels
    labels: set[str] = set()
    types: set[str] = set()
    for match in re.finditer(r":\s*([A-Za-z_]\w*)((?:\s*[&|]\s*[A-Za-z_]\w*)*)", text):
        if match.start() > 0 and text[match.start() - 1] == ":":
            continue  # a type predicate such as ``x :: INTEGER``
        before = text[: match.start()]
        if re.search(r"\{[^{}]*$", before) and match.group(0)[1:2].isspace():
            continue  # a map key such as ``{id: row.id}``
        names = {match.group(1), *re.findall(r"[A-Za-z_]\w*", match.group(2))} - {"any", "all"}
        inside = _innermost_bracket(before)
        (types if inside == "[" else labels).update(names)
    return labels, types


def _innermost_bracket(text: str) -> str | None:
    depth = {"(": 0, "[": 0, "{": 0}
    closing = {")": "(", "]": "[", "}": "{"}
    for char in reversed(text):
        if char in closing:
            depth[closing[char]] += 1
        elif char in depth:
            if depth[char] == 0:
                return char
            depth[char] -= 1
    return None


def test_label_and_type_parser_reads_patterns() -> None:
    labels, types = names_in(
        "MATCH (a:Entity {id: $id})-[r:RESPONDS_TO|UNDER]->(b:Entity&ActionPoint) WHERE b:PriorityGoal "
        "AND a.x :: INTEGER AND b.name = 'Fake:Label' MERGE (d:Dataset {name: $name}) RETURN [x IN r | x]"
    )
    assert labels == {"Entity", "ActionPoint", "PriorityGoal", "Dataset"}
    assert types == {"RESPONDS_TO", "UNDER"}


def test_every_label_and_type_in_cypher_is_in_the_schema() -> None:
    cypher = all_cypher()
    assert len(cypher) > 20 and any(k.startswith("queries.") for k in cypher)
    seen_labels: set[str] = set()
    for name, text in cypher.items():
        labels, types = names_in(text)
        assert labels <= KNOWN_LABELS, f"{name}: unknown label(s) {labels - KNOWN_LABELS}"
        assert types <= KNOWN_TYPES, f"{name}: unknown relationship type(s) {types - KNOWN_TYPES}"
        # Labels compared as strings (``l <> 'Entity'``) and types named as strings (a hub's groups,
        # ``['UNDER', 'out', ...]``) must be schema names too.
        quoted = set(re.findall(r"'([A-Z][A-Za-z_]*)'", text))
        known = KNOWN_LABELS | KNOWN_TYPES
        assert quoted <= known, f"{name}: unknown label(s) or type(s) {quoted - known}"
        seen_labels |= labels
    assert {ENTITY_LABEL, DATASET_LABEL} <= seen_labels


def test_full_text_queries_name_the_schema_index() -> None:
    for name, text in all_cypher().items():
        for index in re.findall(r"fulltext\.query\w+\(\s*'([^']*)'", text):
            assert index == FULLTEXT_INDEX, name
    assert "queryNodes('entity_words'" in read_queries.TEXT_CANDIDATES and FULLTEXT_INDEX == "entity_words"


def test_search_candidates_bring_what_ranking_reads() -> None:
    # The full-text candidates come as one row, each a list: the id, the label, then TEXT_PROPS in their order
    # (the store reads them by position), which are the fields search ranks on and the confidence a hit shows: a
    # field added to search.FIELDS fails this until the query returns it too.
    flat = re.sub(r"\s+", " ", read_queries.TEXT_CANDIDATES)
    listed = re.findall(r"collect\(\[n\.id, \[l IN labels\(n\) WHERE l <> 'Entity'\]\[0\], ([^\]]*)\]\)", flat)
    assert [re.findall(r"n\.(\w+)", found) for found in listed] == [list(read_queries.TEXT_PROPS)]
    assert {*search.FIELDS, "confidence"} == {"id", *read_queries.TEXT_PROPS}
    assert "properties(" not in read_queries.TEXT_CANDIDATES


# -- (b) no Cypher built from strings; queries are constants ------------------------------------------------
@dataclass
class Source:
    name: str  # dotted module name
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted target
    constants: set[str] = field(default_factory=set)  # module-level names bound to a str literal

    @classmethod
    def parse(cls, text: str, name: str) -> Source:
        src = cls(name, ast.parse(text))
        for node in ast.walk(src.tree):
            for child in ast.iter_child_nodes(node):
                src.parents[child] = node
            if isinstance(node, ast.Import):
                src.imports |= {(a.asname or a.name).split(".")[0]: a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                src.imports |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
        for stmt in src.tree.body:
            target, value = _assignment(stmt)
            if target and isinstance(value, ast.Constant) and isinstance(value.value, str):
                src.constants.add(target)
        return src

    def resolve(self, local: str) -> object:
        """The object an imported name stands for (a module or a module attribute), or None."""
        dotted = self.imports.get(local)
        if dotted is None:
            return None
        try:
            return importlib.import_module(dotted)
        except ImportError:
            module, _, attr = dotted.rpartition(".")
            return getattr(importlib.import_module(module), attr, None)

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def _strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def built_cypher(src: Source) -> list[str]:
    """Places where a string containing Cypher is assembled at run time."""
    lines: set[int] = set()
    for node in ast.walk(src.tree):
        parts: list[ast.AST] = []
        if isinstance(node, ast.JoinedStr):
            parts = [node]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            parts = [node.left, node.right]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "format":
                parts = [node.func.value]
            elif node.func.attr == "join":
                parts = [*node.args]
        if any(CYPHER_WORDS.search(s) for part in parts for s in _strings(part)):
            lines.add(getattr(node, "lineno", 0))
    return [f"{src.name}:{line}: Cypher assembled from strings" for line in sorted(lines)]


class QueryCheck:
    """Whether the query argument of an ``execute_query``/``run`` call is always a constant."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.pending: set[tuple[str, int]] = set()  # (function, parameter) being checked: no cycles

    def calls(self) -> Iterator[tuple[ast.Call, ast.expr | None]]:
        for node in ast.walk(self.src.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in QUERY_METHODS:
                continue
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and isinstance(self.src.resolve(receiver.id), ModuleType):
                continue  # uvicorn.run, subprocess.run: not a database
            if node.func.attr == "run" and not node.args and not node.keywords:
                continue  # a bare .run() (a process supervisor's) sends no query
            query = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "query_"), None)
            yield node, query

    def constant(self, expr: ast.expr | None) -> bool:
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            module = self.src.resolve(expr.value.id)
            return isinstance(module, ModuleType) and _is_constant(module, expr.attr)
        if isinstance(expr, ast.Call) and _called_name(expr) == "Query":
            return bool(expr.args) and self.constant(expr.args[0])
        if not isinstance(expr, ast.Name):
            return False  # inline literals, f-strings, calls, subscripts...
        if expr.id in self.src.constants:
            return True
        if expr.id in self.src.imports:
            target = self.src.imports[expr.id]
            module = importlib.import_module(target.rpartition(".")[0])
            return _is_constant(module, target.rpartition(".")[2])
        function = self.src.function_of(expr)
        if function is None:
            return False
        return self._literal_parameter(function, expr.id) or self._loop_over_constants(function, expr.id)

    def _literal_parameter(self, function: ast.FunctionDef, name: str) -> bool:
        params = [*function.args.posonlyargs, *function.args.args]
        index = next((i for i, p in enumerate(params) if p.arg == name), None)
        if index is None or ast.unparse(params[index].annotation or ast.Constant("")) != "LiteralString":
            return False
        key = (function.name, index)
        if key in self.pending:
            return True
        self.pending.add(key)
        offset = 1 if params and params[0].arg == "self" else 0
        callers = [
            node
            for node in ast.walk(self.src.tree)
            if isinstance(node, ast.Call) and _called_name(node) == function.name
        ]
        ok = bool(callers) and all(
            len(c.args) > index - offset and self.constant(c.args[index - offset]) for c in callers
        )
        self.pending.discard(key)
        return ok

    def _loop_over_constants(self, function: ast.FunctionDef, name: str) -> bool:
        loops = [n for n in ast.walk(function) if isinstance(n, ast.For) and _binds(n.target, name)]
        return bool(loops) and all(self._table_of_constants(function, loop, name) for loop in loops)

    def _table_of_constants(self, function: ast.FunctionDef, loop: ast.For, name: str) -> bool:
        rows = loop.iter
        if isinstance(rows, ast.Name):
            assignments = [_assignment(stmt) for stmt in ast.walk(function) if isinstance(stmt, ast.stmt)]
            bound = [value for target, value in assignments if target == rows.id]
            if len(bound) != 1 or bound[0] is None:
                return False
            rows = bound[0]
        if not isinstance(rows, ast.List | ast.Tuple):
            return False
        position = (
            next(i for i, t in enumerate(loop.target.elts) if isinstance(t, ast.Name) and t.id == name)
            if isinstance(loop.target, ast.Tuple)
            else None
        )
        for row in rows.elts:
            if isinstance(row, ast.Starred):
                # ``*constraint_ddl()``: statements generated from the schema enums by the DDL builder.
                func = row.value.func if isinstance(row.value, ast.Call) else None
                target = self.src.resolve(func.id) if isinstance(func, ast.Name) else None
                if getattr(target, "__module__", None) != DDL_BUILDER:
                    return False
            elif position is None:
                if not self.constant(row):
                    return False
            elif not (isinstance(row, ast.Tuple) and self.constant(row.elts[position])):
                return False
        return True


def _binds(target: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_constant(module: ModuleType, attr: str) -> bool:
    return attr.isupper() and isinstance(getattr(module, attr, None), str)


def unsafe_queries(src: Source) -> tuple[list[str], int]:
    """Query calls whose query is not provably a constant, and how many query calls there are."""
    check = QueryCheck(src)
    calls = list(check.calls())
    bad = [f"{src.name}:{c.lineno}: {ast.unparse(q) if q else '?'}" for c, q in calls if not check.constant(q)]
    return bad, len(calls)


def sources() -> list[Source]:
    found = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append(Source.parse(path.read_text(encoding="utf-8"), name))
    return found


def test_no_cypher_is_assembled_from_strings() -> None:
    scanned = sources()
    assert {s.name for s in scanned} >= {"bpkg.app.store.neo4j.queries", "bpkg.loaders.neo4j_sink", DDL_BUILDER}
    problems = [p for src in scanned if src.name != DDL_BUILDER for p in built_cypher(src)]
    assert problems == []


def test_every_query_sent_to_neo4j_is_a_constant() -> None:
    seen: dict[str, int] = {}
    problems: list[str] = []
    for src in sources():
        bad, count = unsafe_queries(src)
        problems += bad
        seen[src.name] = count
    assert problems == []
    # The adapter's and the sink's calls were all seen (reads, probe; DDL, pages, batches, marker, finish).
    assert seen["bpkg.app.store.neo4j.store"] >= 2 and seen["bpkg.loaders.neo4j_sink"] >= 6


BAD_MODULE = """
from typing import LiteralString
import neo4j
SAFE = "MATCH (n) RETURN n"

def by_label(driver, label):
    driver.execute_query(f"MATCH (n:{label}) RETURN n")
    driver.execute_query("MATCH (n:%s) RETURN n" % label)
    driver.execute_query("MATCH (n:{}) RETURN n".format(label))
    driver.execute_query("MATCH (n:" + label + ") RETURN n")

def inline(tx, text: LiteralString, other: str):
    tx.run("MATCH (n) RETURN n")
    tx.run(other)
    tx.run(neo4j.Query(SAFE))
    tx.run(text)

def caller(tx, user_text):
    inline(tx, user_text, "x")
"""


def test_the_checks_catch_what_they_are_for() -> None:
    src = Source.parse(BAD_MODULE, "bad")
    assert len(built_cypher(src)) == 4
    bad, count = unsafe_queries(src)
    assert count == 8
    # The four assembled strings, the inline literal, the ``str`` parameter and the LiteralString
    # parameter whose caller passes user text; only ``neo4j.Query(SAFE)`` is accepted.
    assert [line.split(": ", 1)[1] for line in bad] == [
        "f'MATCH (n:{label}) RETURN n'",
        "'MATCH (n:%s) RETURN n' % label",
        "'MATCH (n:{}) RETURN n'.format(label)",
        "'MATCH (n:' + label + ') RETURN n'",
        "'MATCH (n) RETURN n'",
        "other",
        "text",
    ]


# -- (c) reads cannot write ----------------------------------------------------------------------------
WRITE_PROBE: Final = "CREATE (:Entity:Source {id: 'write-probe-must-not-exist', name: 'probe'})"
COUNT_PROBE: Final = "MATCH (n:Entity {id: 'write-probe-must-not-exist'}) RETURN count(n) AS n"


@pytest.mark.neo4j
def test_a_write_in_a_read_routed_transaction_is_refused(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    database = neo4j_settings.neo4j_database
    # What the server really does with a single Community instance: the READ access mode sent with the
    # transaction is enforced, so a write fails with AccessMode ...
    with pytest.raises(neo4j.exceptions.ClientError) as raised:
        neo4j_driver.execute_query(WRITE_PROBE, database_=database, routing_=neo4j.RoutingControl.READ)
    assert raised.value.code == "Neo.ClientError.Statement.AccessMode"
    # ... also through the adapter's own read path (the error is a bug to surface, not a 503) ...
    with pytest.raises(neo4j.exceptions.ClientError) as raised:
        Neo4jStore(neo4j_driver, database)._read(WRITE_PROBE)
    assert raised.value.code == "Neo.ClientError.Statement.AccessMode"
    # ... and nothing was written.
    records, _, _ = neo4j_driver.execute_query(COUNT_PROBE, database_=database, routing_=neo4j.RoutingControl.READ)
    assert records[0]["n"] == 0
