"""Turn rows of an implementation plan (one row per link) into relationships.

The most specific of activity / component / project is the responder; the other columns must agree
with the reference data, so a plan cannot silently contradict it.
"""

from __future__ import annotations

import re
from typing import Any

from graph_schema import Label, RelType
from loaders.batch import Node, Rel
from loaders.problems import Problems
from loaders.raw import RawRel
from loaders.readers import Row

_RESPONDER_COLUMNS = (("activity", Label.ACTIVITY), ("component", Label.COMPONENT), ("project", Label.PROJECT))


def _ref(value: str | None, prefix: str) -> str | None:
    """``17`` or ``ap-17`` -> ``ap-17``; anything else -> None."""
    if value is None:
        return None
    text = value.strip().lower()
    if re.fullmatch(r"\d+", text):
        return f"{prefix}-{int(text)}"
    if re.fullmatch(rf"{prefix}-\d+", text):
        return text
    return None


def _article(label: Label) -> str:
    return "an" if label.value[0] in "AEIOU" else "a"


def _country_ref(code: str) -> str:
    text = code.strip()
    return f"country-{text.lower()}" if re.fullmatch(r"[A-Za-z]{3}", text) else text


def plan_rels(
    name: str,
    rows: list[Row],
    by_id: dict[str, Node],
    reference: list[Rel],
    problems: Problems,
    invalid_ids: set[str] | None = None,
) -> list[RawRel]:
    """Relationships for every row of a plan table; row problems go to ``problems``."""
    links = {rel.key for rel in reference}
    out: list[RawRel] = []
    goal_of: dict[str, str] = {}

    def expect(row: Row, column: str, ident: str, label: Label) -> bool:
        node = by_id.get(ident)
        if node is None:
            if ident not in (invalid_ids or ()):
                problems.add(row.loc, column, f"no node with id '{ident}' in the dataset")
            return False
        if node.label is not label:
            problems.add(row.loc, column, f"'{ident}' is a {node.label}, not {_article(label)} {label}")
            return False
        return True

    for row in rows:
        cells = row.cells
        ap_text = cells.get("action_point")
        ap = _ref(ap_text, "ap")
        if ap is None:
            problems.add(row.loc, "action_point", f"expected an action point number or id like ap-17 (got {ap_text!r})")
            continue
        if not expect(row, "action_point", ap, Label.ACTION_POINT):
            continue
        provenance: dict[str, Any] = {
            "sources": [s.strip() for s in (cells.get("source") or "").split(";") if s.strip()],
            "confidence": cells.get("confidence"),
        }
        if cells.get("note"):
            provenance["note"] = cells["note"]

        goal_text = cells.get("goal")
        if goal_text is not None:
            goal = _ref(goal_text, "pg")
            if goal is None:
                problems.add(row.loc, "goal", f"expected a priority goal number or id like pg-4 (got {goal_text!r})")
            elif expect(row, "goal", goal, Label.PRIORITY_GOAL) and goal_of.get(ap) != goal:
                # The first row that places an action point under a goal carries the link; a second,
                # different goal is reported by the validator (one goal per action point).
                goal_of.setdefault(ap, goal)
                data = {"from": ap, "type": RelType.UNDER.value, "to": goal, **provenance}
                out.append(RawRel(row.loc, data, from_field="action_point", to_field="goal"))

        given = {col: cells[col] for col, _ in _RESPONDER_COLUMNS if cells.get(col)}
        if not given:
            if cells.get("strength"):
                problems.add(row.loc, "strength", "a strength is given but no activity, component or project")
            continue
        ok = all(expect(row, col, str(given[col]), label) for col, label in _RESPONDER_COLUMNS if col in given)
        if not ok:
            continue
        activity, component, project = (given.get(col) for col, _ in _RESPONDER_COLUMNS)
        part_of = RelType.PART_OF.value
        if activity and component and (activity, part_of, component) not in links:
            problems.add(row.loc, "component", f"{activity} is not part of {component} in the reference data")
        if component and project and (project, RelType.HAS_COMPONENT.value, component) not in links:
            problems.add(row.loc, "project", f"{component} is not a component of {project} in the reference data")
        if activity and project and not component:
            via = {t for (s, r, t) in links if s == activity and r == part_of}
            comps = {t for (s, r, t) in links if s == project and r == RelType.HAS_COMPONENT.value}
            if project not in via and not via & comps:
                problems.add(row.loc, "project", f"{activity} is not part of {project} in the reference data")
        column = next(col for col, _ in _RESPONDER_COLUMNS if col in given)
        data = {
            "from": given[column],
            "type": RelType.RESPONDS_TO.value,
            "to": ap,
            "strength": cells.get("strength"),
            "countries": [_country_ref(c) for c in (cells.get("countries") or "").split(";") if c.strip()],
            **provenance,
        }
        if data["strength"] is None:
            del data["strength"]  # reported as a missing required property
        out.append(RawRel(row.loc, data, from_field=column, to_field="action_point"))
    return out
