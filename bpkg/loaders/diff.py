"""What changed between two versions of a dataset: nodes and links added, removed and changed (with the
fields that changed), and the links left *suspect* by a change to a node they rest on.

A link is suspect when it is the same in both versions but a node at either end changed: whoever made the
link judged the old node, so the link wants a second look (as StrictDoc and Doorstop flag requirements
whose parents changed). Pure: it compares two validated batches and writes nothing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bpkg.loaders.batch import GraphBatch, Node, Rel

Change = Literal["added", "removed", "changed"]
# Reports name a changed value in full up to this many characters; longer values are cut with "…".
_SHOWN = 200


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class NodeDiff:
    change: Change
    id: str
    label: str
    name: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RelDiff:
    change: Change
    source: str
    type: str
    target: str
    confidence: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LinkOnChangedNode:
    source: str
    type: str
    target: str
    changed_nodes: list[str]


@dataclass(frozen=True, slots=True)
class DatasetDiff:
    old: str
    new: str
    nodes: list[NodeDiff]
    rels: list[RelDiff]
    suspect: list[LinkOnChangedNode]

    @property
    def same(self) -> bool:
        return not self.nodes and not self.rels

    def counts(self) -> dict[str, dict[str, int]]:
        def count(items: Iterable[NodeDiff | RelDiff]) -> dict[str, int]:
            found: list[str] = [i.change for i in items]
            return {c: found.count(c) for c in ("added", "removed", "changed")}

        return {"nodes": count(self.nodes), "relationships": count(self.rels), "suspect": {"links": len(self.suspect)}}

    def as_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "counts": self.counts(), **asdict(self)} | {"same": self.same}


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(key, old.get(key), new.get(key))
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]


def _label(batch: GraphBatch) -> str:
    return f"{batch.info.name} {batch.info.version}"


def diff_batches(old: GraphBatch, new: GraphBatch) -> DatasetDiff:
    """Every difference between ``old`` and ``new``, in a deterministic order (by id, then by link key)."""
    old_nodes: dict[str, Node] = {n.id: n for n in old.nodes}
    new_nodes: dict[str, Node] = {n.id: n for n in new.nodes}
    nodes: list[NodeDiff] = []
    changed_ids: set[str] = set()
    for node_id in sorted(set(old_nodes) | set(new_nodes)):
        before, after = old_nodes.get(node_id), new_nodes.get(node_id)
        if before is None and after is not None:
            nodes.append(NodeDiff("added", node_id, after.label.value, str(after.props.get("name", node_id))))
        elif after is None and before is not None:
            nodes.append(NodeDiff("removed", node_id, before.label.value, str(before.props.get("name", node_id))))
        elif before is not None and after is not None:
            fields = _fields(before.props, after.props)
            if before.label != after.label:
                fields.insert(0, FieldChange("label", before.label.value, after.label.value))
            if fields:
                changed_ids.add(node_id)
                nodes.append(NodeDiff("changed", node_id, after.label.value, str(after.props.get("name")), fields))
    old_rels: dict[tuple[str, str, str], Rel] = {r.key: r for r in old.rels}
    new_rels: dict[tuple[str, str, str], Rel] = {r.key: r for r in new.rels}
    rels: list[RelDiff] = []
    suspect: list[LinkOnChangedNode] = []
    for key in sorted(set(old_rels) | set(new_rels)):
        was, now = old_rels.get(key), new_rels.get(key)
        if was is None and now is not None:
            rels.append(RelDiff("added", *key, str(now.props.get("confidence"))))
        elif now is None and was is not None:
            rels.append(RelDiff("removed", *key, str(was.props.get("confidence"))))
        elif was is not None and now is not None:
            fields = _fields(was.props, now.props)
            if fields:
                rels.append(RelDiff("changed", *key, str(now.props.get("confidence")), fields))
            else:
                moved = sorted({key[0], key[2]} & changed_ids)
                if moved:
                    suspect.append(LinkOnChangedNode(*key, changed_nodes=moved))
    return DatasetDiff(_label(old), _label(new), nodes, rels, suspect)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _field_lines(fields: list[FieldChange]) -> list[str]:
    return [f"    - `{f.field}`: {_short(f.old)} → {_short(f.new)}" for f in fields]


def to_markdown(diff: DatasetDiff) -> str:
    """A report a person reads: counts, then each change with the fields that changed."""
    c = diff.counts()
    lines = [f"# Changes from {diff.old} to {diff.new}", ""]
    if diff.same:
        lines += ["The two versions hold the same nodes and links.", ""]
        return "\n".join(lines)
    lines += [
        f"- nodes: {c['nodes']['added']} added, {c['nodes']['removed']} removed, {c['nodes']['changed']} changed",
        f"- links: {c['relationships']['added']} added, {c['relationships']['removed']} removed, "
        f"{c['relationships']['changed']} changed",
        f"- suspect links (unchanged, but a node they rest on changed): {c['suspect']['links']}",
        "",
    ]
    if diff.nodes:
        lines += ["## Nodes", ""]
        for n in diff.nodes:
            lines.append(f"- {n.change}: {n.label} `{n.id}` ({_short(n.name)})")
            lines += _field_lines(n.fields)
        lines.append("")
    if diff.rels:
        lines += ["## Links", ""]
        for r in diff.rels:
            lines.append(f"- {r.change}: `{r.source}` {r.type} `{r.target}` ({r.confidence})")
            lines += _field_lines(r.fields)
        lines.append("")
    if diff.suspect:
        lines += ["## Suspect links: review them", ""]
        for s in diff.suspect:
            lines.append(
                f"- `{s.source}` {s.type} `{s.target}`: changed {', '.join(f'`{n}`' for n in s.changed_nodes)}"
            )
        lines.append("")
    return "\n".join(lines)


def to_html(diff: DatasetDiff) -> str:
    """The Markdown report's content as one self-contained HTML page (every value escaped)."""
    esc = html.escape
    c = diff.counts()
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Changes from {esc(diff.old)} to {esc(diff.new)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
        "td,th{border-bottom:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}"
        "table{border-collapse:collapse;width:100%}</style></head><body>",
        f"<h1>Changes from {esc(diff.old)} to {esc(diff.new)}</h1>",
        f"<p>Nodes: {c['nodes']['added']} added, {c['nodes']['removed']} removed, {c['nodes']['changed']} changed. "
        f"Links: {c['relationships']['added']} added, {c['relationships']['removed']} removed, "
        f"{c['relationships']['changed']} changed. Suspect links: {c['suspect']['links']}.</p>",
    ]

    def fields(items: list[FieldChange]) -> str:
        return "<br>".join(f"<code>{esc(f.field)}</code>: {esc(_short(f.old))} → {esc(_short(f.new))}" for f in items)

    if diff.nodes:
        parts.append("<h2>Nodes</h2><table><tr><th>change</th><th>node</th><th>fields</th></tr>")
        for n in diff.nodes:
            parts.append(
                f"<tr><td>{n.change}</td><td>{esc(n.label)} <code>{esc(n.id)}</code> {esc(_short(n.name))}</td>"
                f"<td>{fields(n.fields)}</td></tr>"
            )
        parts.append("</table>")
    if diff.rels:
        parts.append("<h2>Links</h2><table><tr><th>change</th><th>link</th><th>fields</th></tr>")
        for r in diff.rels:
            parts.append(
                f"<tr><td>{r.change}</td><td><code>{esc(r.source)}</code> {esc(r.type)} <code>{esc(r.target)}</code> "
                f"({esc(r.confidence)})</td><td>{fields(r.fields)}</td></tr>"
            )
        parts.append("</table>")
    if diff.suspect:
        parts.append("<h2>Suspect links: review them</h2><ul>")
        for s in diff.suspect:
            changed = ", ".join(f"<code>{esc(n)}</code>" for n in s.changed_nodes)
            parts.append(
                f"<li><code>{esc(s.source)}</code> {esc(s.type)} <code>{esc(s.target)}</code>: changed {changed}</li>"
            )
        parts.append("</ul>")
    if diff.same:
        parts.append("<p>The two versions hold the same nodes and links.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
