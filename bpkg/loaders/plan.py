"""Turn rows of an implementation plan (one row per link) into relationships.

The most specific of activity / component / project is the responder; the other columns must agree
with the reference data, so a plan cannot silently contradict it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, LiteralString

from pydantic import BeforeValidator, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from bpkg.graph_schema import Label, Provenance, RelType
from bpkg.loaders.batch import Node, Rel
from bpkg.loaders.problems import Loc, Problems, excerpt, pydantic_reason
from bpkg.loaders.raw import RawRel
from bpkg.loaders.reading.cells import listed
from bpkg.loaders.reading.tables import Row

_RESPONDER_COLUMNS = (("activity", Label.ACTIVITY), ("component", Label.COMPONENT), ("project", Label.PROJECT))


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


def _node_ref(prefix: str, what: LiteralString, example: LiteralString) -> BeforeValidator:
    """A cell naming a node by number or id (``17`` or ``ap-17``), read as its id."""

    def read(value: str) -> str:
        ident = _ref(value, prefix)
        if ident is None:
            message = "expected " + what + " number or id like " + example + " (got {got})"
            raise PydanticCustomError("plan_cell", message, {"got": excerpt(value)})
        return ident

    return BeforeValidator(read)


def _article(label: Label) -> str:
    return "an" if label.value[0] in "AEIOU" else "a"


def _country_ref(code: str) -> str:
    text = code.strip()
    return f"country-{text.lower()}" if re.fullmatch(r"[A-Za-z]{3}", text) else text


def _countries(value: str) -> tuple[str, ...]:
    """ISO codes (``PAK``) or country ids, separated by ``;``, as country ids."""
    return tuple(_country_ref(code) for code in listed(value))


class PlanRow(Provenance):
    """One row of a plan, cell by cell: ``source``, ``confidence`` and ``note`` are the schema's provenance
    (``Provenance``, whose rules they follow), the other cells are read here. Links made from the row are then
    checked by the schema like any other (``strength``, ``countries``, ``reviewed``)."""

    action_point: Annotated[str, _node_ref("ap", "an action point", "ap-17")]
    goal: Annotated[str, _node_ref("pg", "a priority goal", "pg-4")] | None = None
    activity: str | None = None
    component: str | None = None
    project: str | None = None
    countries: Annotated[tuple[str, ...], BeforeValidator(_countries)] = ()
    strength: str | None = None
    reviewed: str | None = None


# The plan column of each field, where they differ, and the reason given for an empty required cell.
_COLUMN: Final = {"sources": "source"}
_REQUIRED: Final = {"action_point": "required: the number or id of an action point"}
_CELL_CONFIG: Final = ConfigDict(str_strip_whitespace=True)
# Each cell is read on its own, with its field's type and rules: one bad cell never hides another.
_CELLS: Final[dict[str, tuple[str, TypeAdapter[Any]]]] = {
    _COLUMN.get(name, name): (name, TypeAdapter[Any](Annotated[info.annotation, info], config=_CELL_CONFIG))  # type: ignore[arg-type]
    for name, info in PlanRow.model_fields.items()
}


def read_row(cells: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The row's values by field (only cells that are given and sound) and its problems by column."""
    values: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for column, (name, adapter) in _CELLS.items():
        text = cells.get(column)
        given: Any = listed(text) if name == "sources" and text else text
        if not given:
            if PlanRow.model_fields[name].is_required():
                problems[column] = [_REQUIRED.get(name, "required property is missing")]
            continue
        try:
            values[name] = adapter.validate_python(given)
        except ValidationError as exc:
            problems[column] = [
                str(err["msg"]) if err["type"] == "plan_cell" else pydantic_reason(err) for err in exc.errors()
            ]
    return values, problems


def plan_rels(
    name: str,
    rows: Iterable[Row],
    by_id: dict[str, Node],
    reference: list[Rel],
    problems: Problems,
    missing: Callable[[Loc, str, str, str], None],
) -> Iterator[RawRel]:
    """Relationships for every row of a plan table, made as the rows are gone through (a plan's rows are
    never all held); row problems go to ``problems``.

    Every row's required cells are checked, whatever else it gives: a row with a problem makes no link at
    all. ``missing(loc, field, id, reason)`` reports a reference to a node that is not in the dataset.
    """
    plan = _PlanRows(by_id, problems, missing)
    for source, rel_type, target in {rel.key for rel in reference}:
        if rel_type == RelType.PART_OF.value:
            plan.part_of.setdefault(source, set()).add(target)
        elif rel_type == RelType.HAS_COMPONENT.value:
            plan.components_of.setdefault(source, set()).add(target)
    goal_of: dict[str, str] = {}
    for row in rows:
        yield from plan.rels(row, goal_of)


@dataclass
class _PlanRows:
    """The checks of a plan's rows against the reference graph, and the links a sound row makes."""

    by_id: dict[str, Node]
    problems: Problems
    missing: Callable[[Loc, str, str, str], None]
    part_of: dict[str, set[str]] = field(default_factory=dict)
    components_of: dict[str, set[str]] = field(default_factory=dict)

    def expect(self, row: Row, column: str, ident: str, label: Label) -> bool:
        node = self.by_id.get(ident)
        if node is None:
            self.missing(row.loc, column, ident, f"no node with id {excerpt(ident)} in the dataset")
            return False
        if node.label is not label:
            self.problems.add(row.loc, column, f"{excerpt(ident)} is a {node.label}, not {_article(label)} {label}")
            return False
        return True

    def provenance_ok(self, row: Row, wrong: dict[str, list[str]], sources: list[str]) -> bool:
        """The provenance cells' own problems, then the sources they name; checked whether or not the row makes
        a link. False when any is wrong, even if its problem is only counted (see ``missing``)."""
        ok = True
        for column in ("source", "confidence", "note"):
            for reason in wrong.get(column, []):
                self.problems.add(row.loc, column, reason)
                ok = False
        for source in sources:
            node = self.by_id.get(source)
            reason = f"{excerpt(source)} is not a Source node in the dataset"
            if node is None:
                self.missing(row.loc, "source", source, reason)
                ok = False
            elif node.label is not Label.SOURCE:
                self.problems.add(row.loc, "source", reason)
                ok = False
        return ok

    def responders_ok(self, row: Row, given: dict[str, str], goal_text: str | None) -> bool:
        """The responder cells: each names a node of its label, and together they agree with the reference graph.
        False when a reference fails; other problems go to ``problems``."""
        if not given:
            if row.cells.get("strength"):
                self.problems.add(row.loc, "strength", "a strength is given but no activity, component or project")
            elif goal_text is None:
                self.problems.add(
                    row.loc,
                    "",
                    "the row gives only an action point: add its goal, or the activity, component or project "
                    "that responds to it",
                )
            return True
        if not all(
            [self.expect(row, col, str(given[col]), label) for col, label in _RESPONDER_COLUMNS if col in given]
        ):
            return False
        activity, component, project = (given.get(col) for col, _ in _RESPONDER_COLUMNS)
        if activity and component and component not in self.part_of.get(activity, ()):
            self.problems.add(row.loc, "component", f"{activity} is not part of {component} in the reference data")
        if component and project and component not in self.components_of.get(project, ()):
            self.problems.add(row.loc, "project", f"{component} is not a component of {project} in the reference data")
        if activity and project and not component:
            via = self.part_of.get(activity, set())
            if project not in via and not via & self.components_of.get(project, set()):
                self.problems.add(row.loc, "project", f"{activity} is not part of {project} in the reference data")
        return True

    def rels(self, row: Row, goal_of: dict[str, str]) -> Iterator[RawRel]:
        """The links of one row: UNDER for the first goal given for its action point, RESPONDS_TO from its most
        specific responder; none when the row has a problem."""
        cells = row.cells
        values, wrong = read_row(cells)
        before = len(self.problems)
        ap: str | None = values.get("action_point")
        for reason in wrong.get("action_point", []):
            self.problems.add(row.loc, "action_point", reason)
        ok = ap is None or self.expect(row, "action_point", ap, Label.ACTION_POINT)
        sources = listed(cells.get("source") or "")
        ok = self.provenance_ok(row, wrong, sources) and ok
        provenance = {
            key: value
            for key, value in (
                ("sources", sources),
                ("confidence", cells.get("confidence")),
                ("note", cells.get("note")),
            )
            if value
        }
        # When the row's links were last checked; goes on every link the row makes (checked by the schema).
        review = {"reviewed": cells["reviewed"]} if cells.get("reviewed") else {}
        goal: str | None = values.get("goal")
        for reason in wrong.get("goal", []):
            self.problems.add(row.loc, "goal", reason)
        if goal is not None and not self.expect(row, "goal", goal, Label.PRIORITY_GOAL):
            ok = False
        given = {col: str(cells[col]) for col, _ in _RESPONDER_COLUMNS if cells.get(col)}
        ok = self.responders_ok(row, given, cells.get("goal")) and ok
        if not ok or len(self.problems) > before or ap is None:
            return  # a row with a problem makes no link (its problems are reported above)
        if goal is not None and goal_of.get(ap) != goal:
            # The first row that places an action point under a goal carries the link; a second,
            # different goal is reported by the validator (one goal per action point).
            goal_of.setdefault(ap, goal)
            data = {"from": ap, "type": RelType.UNDER.value, "to": goal, **provenance, **review}
            yield RawRel(row.loc, data, from_field="action_point", to_field="goal")
        if not given:
            return
        column = next(col for col, _ in _RESPONDER_COLUMNS if col in given)
        data = {
            "from": given[column],
            "type": RelType.RESPONDS_TO.value,
            "to": ap,
            "strength": cells.get("strength"),
            "countries": list(values.get("countries", ())),
            **provenance,
            **review,
        }
        if data["strength"] is None:
            del data["strength"]  # reported as a missing required property
        yield RawRel(row.loc, data, from_field=column, to_field="action_point")
