"""Turn rows of an implementation plan (one row per link) into relationships.

The most specific of activity / component / project is the responder; the other columns must agree
with the reference data, so a plan cannot silently contradict it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from pydantic import ValidationError

from graph_schema import Label, Provenance, RelType
from loaders.batch import Node, Rel
from loaders.problems import Loc, Problems, excerpt, pydantic_reason
from loaders.raw import RawRel
from loaders.readers import Row

_RESPONDER_COLUMNS = (("activity", Label.ACTIVITY), ("component", Label.COMPONENT), ("project", Label.PROJECT))
# Provenance properties by the plan column that gives them.
_PROVENANCE_COLUMNS: Final = {"sources": "source", "confidence": "confidence", "note": "note"}


def _ref(value: str | None, prefix: str) -> str | None:
    """``17`` or ``ap-17`` -> ``ap-17``; anything else -> None."""
    if value is None:
        return None
    text = value.strip().lower()
    if re.fullmatch(r"\d{1,9}", text):
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
    missing: Callable[[Loc, str, str, str], None],
) -> list[RawRel]:
    """Relationships for every row of a plan table; row problems go to ``problems``.

    Every row's required cells are checked, whatever else it gives: a row with a problem makes no link at
    all. ``missing(loc, field, id, reason)`` reports a reference to a node that is not in the dataset.
    """
    links = {rel.key for rel in reference}
    part_of: dict[str, set[str]] = {}
    components_of: dict[str, set[str]] = {}
    for source, rel_type, target in links:
        if rel_type == RelType.PART_OF.value:
            part_of.setdefault(source, set()).add(target)
        elif rel_type == RelType.HAS_COMPONENT.value:
            components_of.setdefault(source, set()).add(target)
    out: list[RawRel] = []
    goal_of: dict[str, str] = {}

    def expect(row: Row, column: str, ident: str, label: Label) -> bool:
        node = by_id.get(ident)
        if node is None:
            missing(row.loc, column, ident, f"no node with id {excerpt(ident)} in the dataset")
            return False
        if node.label is not label:
            problems.add(row.loc, column, f"{excerpt(ident)} is a {node.label}, not {_article(label)} {label}")
            return False
        return True

    for row in rows:
        cells = row.cells
        before = len(problems)
        ok = True  # False when a reference fails, even if its problem is only counted (see ``missing``)
        ap_text = cells.get("action_point")
        ap = _ref(ap_text, "ap")
        if ap_text is None:
            problems.add(row.loc, "action_point", "required: the number or id of an action point")
        elif ap is None:
            problems.add(
                row.loc, "action_point", f"expected an action point number or id like ap-17 (got {excerpt(ap_text)})"
            )
        else:
            ok = expect(row, "action_point", ap, Label.ACTION_POINT)
        provenance: dict[str, Any] = {
            "sources": [s.strip() for s in (cells.get("source") or "").split(";") if s.strip()],
            "confidence": cells.get("confidence"),
            "note": cells.get("note"),
        }
        provenance = {key: value for key, value in provenance.items() if value}
        # When the row's links were last checked; goes on every link the row makes (checked by the schema).
        review = {"reviewed": cells["reviewed"]} if cells.get("reviewed") else {}
        ok = _check_provenance(row, provenance, by_id, problems, missing) and ok

        goal: str | None = None
        goal_text = cells.get("goal")
        if goal_text is not None:
            goal = _ref(goal_text, "pg")
            if goal is None:
                problems.add(
                    row.loc, "goal", f"expected a priority goal number or id like pg-4 (got {excerpt(goal_text)})"
                )
            elif not expect(row, "goal", goal, Label.PRIORITY_GOAL):
                ok = False

        given = {col: cells[col] for col, _ in _RESPONDER_COLUMNS if cells.get(col)}
        if not given:
            if cells.get("strength"):
                problems.add(row.loc, "strength", "a strength is given but no activity, component or project")
            elif goal_text is None:
                problems.add(
                    row.loc,
                    "",
                    "the row gives only an action point: add its goal, or the activity, component or project "
                    "that responds to it",
                )
        elif not all([expect(row, col, str(given[col]), label) for col, label in _RESPONDER_COLUMNS if col in given]):
            ok = False
        else:
            activity, component, project = (given.get(col) for col, _ in _RESPONDER_COLUMNS)
            if activity and component and component not in part_of.get(activity, ()):
                problems.add(row.loc, "component", f"{activity} is not part of {component} in the reference data")
            if component and project and component not in components_of.get(project, ()):
                problems.add(row.loc, "project", f"{component} is not a component of {project} in the reference data")
            if activity and project and not component:
                via = part_of.get(activity, set())
                if project not in via and not via & components_of.get(project, set()):
                    problems.add(row.loc, "project", f"{activity} is not part of {project} in the reference data")
        if not ok or len(problems) > before or ap is None:
            continue  # a row with a problem makes no link (its problems are reported above)

        if goal is not None and goal_of.get(ap) != goal:
            # The first row that places an action point under a goal carries the link; a second,
            # different goal is reported by the validator (one goal per action point).
            goal_of.setdefault(ap, goal)
            data = {"from": ap, "type": RelType.UNDER.value, "to": goal, **provenance, **review}
            out.append(RawRel(row.loc, data, from_field="action_point", to_field="goal"))
        if not given:
            continue
        column = next(col for col, _ in _RESPONDER_COLUMNS if col in given)
        data = {
            "from": given[column],
            "type": RelType.RESPONDS_TO.value,
            "to": ap,
            "strength": cells.get("strength"),
            "countries": [_country_ref(c) for c in (cells.get("countries") or "").split(";") if c.strip()],
            **provenance,
            **review,
        }
        if data["strength"] is None:
            del data["strength"]  # reported as a missing required property
        out.append(RawRel(row.loc, data, from_field=column, to_field="action_point"))
    return out


def _check_provenance(
    row: Row,
    provenance: dict[str, Any],
    by_id: dict[str, Node],
    problems: Problems,
    missing: Callable[[Loc, str, str, str], None],
) -> bool:
    """Check a row's ``confidence``, ``source`` and ``note``, whether or not the row makes a link."""
    ok = True
    try:
        Provenance.model_validate(provenance)
    except ValidationError as exc:
        ok = False
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            reason = "required property is missing" if field not in provenance else pydantic_reason(err)
            problems.add(row.loc, _PROVENANCE_COLUMNS.get(field, field), reason)
    for source in provenance.get("sources", []):
        node = by_id.get(source)
        reason = f"{excerpt(source)} is not a Source node in the dataset"
        if node is None:
            missing(row.loc, "source", source, reason)
            ok = False
        elif node.label is not Label.SOURCE:
            problems.add(row.loc, "source", reason)
            ok = False
    return ok
