"""Table-shaped answers as rows for CSV and XLSX files, each saying in its cells what rests on weak links.

A saved file loses the HTTP headers and the JSON notice, so a value that rests on a link that is not
confirmed carries its confidence in the cell itself ('direct (2) - illustrative'), and each row says what it
rests on (``citations.Basis``), which the download turns into its sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bpkg.app.services.api_types import ActionPointPage, ActionPointStatus, CountryOut, CoverageOut, GapsOut
from bpkg.app.services.citations import NOTHING, Basis, Cited
from bpkg.app.services.tables import Cell
from bpkg.graph_schema import Confidence

Table = tuple[list[str], list[list[Cell]]]


def marked(text: str, confidence: str | None) -> str:
    """``text``, followed by the confidence when the value rests on a link that is not confirmed."""
    if confidence and confidence != Confidence.CONFIRMED:
        return f"{text} - {confidence}"
    return text


ALL_OTHERS: Final = "every other action point"
"""A row's uncovered numbers where its answer does not list them (by component, project or country)."""


def _numbers(values: Sequence[int] | None) -> str:
    return ALL_OTHERS if values is None else " ".join(str(n) for n in values)


def _about(action_point: str) -> Basis:
    """A row about one action point: it rests on the action point, its goal and the responses its status
    counts."""
    return Basis(action_points=(action_point,))


def action_points(page: ActionPointPage) -> Cited:
    header = ["number", "action point", "goal", "status", "direct responses", "responses to its goal"]
    rows: list[list[Cell]] = [
        [
            i.number,
            i.action_point.name,
            marked(i.goal.name, i.goal.confidence) if i.goal else None,
            marked(i.status_words, i.status_confidence),
            i.responses,
            i.goal_responses,
        ]
        for i in page.items
    ]
    return Cited(header, rows, [_about(i.action_point.id) for i in page.items], page.as_of)


def coverage(out: CoverageOut) -> Cited:
    header = [
        out.by,
        "action points",
        "responded to directly",
        "not responded to directly",
        "share responded to directly",
        "direct response links",
        "action points responded to directly",
        "action points not responded to directly",
    ]
    if out.by == "gcm":
        return _gcm_coverage(out, header)
    ids = _ids_by_number(out)
    rows: list[list[Cell]] = [
        [
            r.node.name if r.node else "(no goal)",
            r.action_points,
            r.covered,
            r.uncovered,
            r.share_covered,
            r.responses,
            _numbers(r.covered_numbers),
            _numbers(r.uncovered_numbers),
        ]
        for r in out.rows
    ]
    rows.append([*_all_row(out), None, None, None])
    basis = [_coverage_basis(out, r.node.id if r.node else None, r.covered_numbers, ids) for r in out.rows]
    return Cited(header, rows, [*basis, NOTHING], out.as_of)


def _ids_by_number(out: CoverageOut) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for s in out.action_points:
        found.setdefault(s.number, []).append(s.action_point.id)
    return found


def _coverage_basis(out: CoverageOut, node: str | None, covered: Sequence[int], ids: dict[int, list[str]]) -> Basis:
    """A coverage row rests on its node and the responses that make its action points covered: by goal, every
    action point under the goal (its placement too); otherwise the covered ones' responses involving the node."""
    if out.by == "goal":
        under = tuple(s.action_point.id for s in out.action_points if (s.goal.id if s.goal else None) == node)
        return Basis(action_points=under, nodes=(node,) if node else ())
    if node is None:
        return NOTHING
    aps = tuple(i for n in covered for i in ids.get(n, []))
    return Basis(action_points=aps, involving=node, nodes=(node,))


def _all_row(out: CoverageOut) -> list[Cell]:
    s = out.summary
    return [marked("all action points", s.confidence), s.action_points, s.covered, s.uncovered, s.share_covered]


def _gcm_coverage(out: CoverageOut, header: list[str]) -> Cited:
    """By GCM objective: number and name, the goals matched (with the match's confidence), the counts, and the
    weakest confidence on the path."""
    header = ["GCM objective", "name", "goals matched", *header[1:], "confidence (weakest on the path)", "note"]
    rows: list[list[Cell]] = [
        [
            r.objective.number if r.objective else None,
            r.objective.name if r.objective else None,
            "; ".join(f"{m.goal.name} (match {m.confidence})" for m in r.goals or []) or None,
            r.action_points,
            r.covered,
            r.uncovered,
            r.share_covered,
            r.responses,
            _numbers(r.covered_numbers),
            _numbers(r.uncovered_numbers),
            r.confidence,
            r.note,
        ]
        for r in out.rows
    ]
    label, *counts = _all_row(out)
    rows.append([None, label, None, *counts, None, None, None, None, None])
    basis = [
        Basis(
            action_points=tuple(
                s.action_point.id
                for s in out.action_points
                if s.goal is not None and any(m.goal.id == s.goal.id for m in r.goals or [])
            ),
            sources=tuple(src for m in r.goals or [] for src in m.sources),
        )
        for r in out.rows
    ]
    return Cited(header, rows, [*basis, NOTHING], out.as_of)


def _status_row(s: ActionPointStatus) -> list[Cell]:
    return [
        s.number,
        s.action_point.name,
        marked(s.goal.name, s.goal.confidence) if s.goal else None,
        marked(s.status_words, s.status_confidence),
        s.goal_responses,
    ]


def gaps(out: GapsOut) -> Cited:
    header = ["number", "action point", "goal", "status", "responses to its goal"]
    return Cited(header, [_status_row(s) for s in out.gaps], [_about(s.action_point.id) for s in out.gaps], out.as_of)


def country(out: CountryOut) -> Cited:
    header = ["number", "action point", "goal", "responded to by (work in the country)", "strongest strength"]
    rows: list[list[Cell]] = [
        [
            a.number,
            a.action_point.name,
            marked(a.goal.name, a.goal.confidence) if a.goal else None,
            "; ".join(r.name for r in a.responders),
            marked(a.strength, a.confidence),
        ]
        for a in out.action_points
    ]
    basis = [Basis(action_points=(a.action_point.id,), involving=out.country.id) for a in out.action_points]
    return Cited(header, rows, basis, out.as_of)
