"""Table-shaped answers as rows for CSV and XLSX files, each saying in its cells what rests on weak links.

A saved file loses the HTTP headers and the JSON notice, so a value that rests on a link that is not
confirmed carries its confidence in the cell itself ('direct (2) - illustrative').
"""

from __future__ import annotations

from collections.abc import Sequence

from bpkg.app.services.api_types import ActionPointPage, ActionPointStatus, CountryOut, CoverageOut, GapsOut
from bpkg.app.services.tables import Cell
from bpkg.graph_schema import Confidence

Table = tuple[list[str], list[list[Cell]]]


def marked(text: str, confidence: str | None) -> str:
    """``text``, followed by the confidence when the value rests on a link that is not confirmed."""
    if confidence and confidence != Confidence.CONFIRMED:
        return f"{text} - {confidence}"
    return text


def _numbers(values: Sequence[int]) -> str:
    return " ".join(str(n) for n in values)


def action_points(page: ActionPointPage) -> Table:
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
    return header, rows


def coverage(out: CoverageOut) -> Table:
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
    return header, rows


def _all_row(out: CoverageOut) -> list[Cell]:
    s = out.summary
    return [marked("all action points", s.confidence), s.action_points, s.covered, s.uncovered, s.share_covered]


def _gcm_coverage(out: CoverageOut, header: list[str]) -> Table:
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
    return header, rows


def _status_row(s: ActionPointStatus) -> list[Cell]:
    return [
        s.number,
        s.action_point.name,
        marked(s.goal.name, s.goal.confidence) if s.goal else None,
        marked(s.status_words, s.status_confidence),
        s.goal_responses,
    ]


def gaps(out: GapsOut) -> Table:
    header = ["number", "action point", "goal", "status", "responses to its goal"]
    return header, [_status_row(s) for s in out.gaps]


def country(out: CountryOut) -> Table:
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
    return header, rows
