"""The checks of one node or one relationship as it is read (its label or type, its properties, a duplicate
id), before anything across files is known."""

from __future__ import annotations

from typing import Any, Final

from bpkg.graph_schema import NODE_MODELS, REL_MODELS, Label, RelType, date_conflicts, to_properties
from bpkg.graph_schema.properties import CHECK_TO_REVIEW
from bpkg.loaders.batch import Node
from bpkg.loaders.checks import FREE_TEXT
from bpkg.loaders.problems import Loc, Problems, excerpt
from bpkg.loaders.validation.periods import says_why_outside
from bpkg.loaders.validation.state import NO_PROPS, Link, ValidationState

_REL_TYPES: Final = {t.value: t for t in RelType}
_LABELS: Final = {label.value: label for label in Label}
_KNOWN_LINKS: Final = 2048
"""How many links' properties ``RecordChecks.valid_links`` holds at most (under a MB): the first ones found without
free text (a note is seldom said twice). At 1M synthetic relationships, with 67,457 different sets, the first 2,048
are those of 87 % of the rows."""


def _frozen(rel_type: RelType, data: dict[str, Any]) -> tuple[Any, ...] | None:
    """A link's type and properties as a key, when they are text and lists of text (what a table row holds);
    ``None`` for any other value (a YAML item's number or date) and for free text (see ``_KNOWN_LINKS``)."""
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        if key in FREE_TEXT:
            return None
        if type(value) is list:
            if not all(type(x) is str for x in value):
                return None
            value = tuple(value)
        elif type(value) is not str:
            return None
        items.append((key, value))
    return (rel_type, *items)


class RecordChecks(ValidationState):
    """Takes nodes and relationships as they are read: checks each on its own and keeps what the later steps
    need."""

    def _take_node(self, loc: Loc, data: dict[str, Any]) -> None:
        """Check one node as it is read (the node step: its problems go to ``node_problems``) and keep it."""
        problems = self.node_problems
        ident = data.get("id")
        if isinstance(ident, str):
            # Checked before the properties so that a duplicate is reported even when one copy is invalid.
            if ident in self.first_seen:
                first = self.at(self.first_seen[ident])
                problems.add(loc, "id", f"duplicate id {excerpt(ident)} (first used at {first})")
                return
            self.first_seen[self._one(ident)] = self.code(loc)
        label_text = data.pop("label", None)
        try:
            label = _LABELS.get(label_text) if isinstance(label_text, str) else None
            if label is None:
                label = Label(str(label_text))
        except ValueError:
            reason = f"unknown label {excerpt(label_text)}; known: {', '.join(Label)}"
            problems.add(loc, "label", reason if label_text else "required property is missing")
            if isinstance(ident, str):
                self.invalid_ids.add(ident)
            return
        if label is Label.SOURCE and isinstance(ident, str) and ident in self.source_checks:
            data.update(self.source_checks[ident][1])  # the last check's result (source-checks.csv)
        model = self._pydantic(loc, NODE_MODELS[label], data, problems)
        props = to_properties(model) if model is not None else {}
        # ``to_properties`` leaves out what is None or empty, which neither check reads
        conflicts = [*date_conflicts(props), *self._years(props)] if model is not None else []
        for field, reason in conflicts:
            problems.add(loc, field, reason)
        if model is None or conflicts:
            if isinstance(ident, str):
                self.invalid_ids.add(ident)
            return
        self.labels[label.value] += 1
        self.node_levels[str(props["confidence"])] += 1
        sources = tuple(self._one(s) for s in props["sources"])
        if not all((found := self.by_id.get(s)) is not None and found.label is Label.SOURCE for s in sources):
            self.pending_sources[self._one(model.id)] = self._one(sources)
        if self.source_checks and label is not Label.SOURCE:  # a source citing itself is not a fact resting on it
            for s in sources:
                if s in self.source_checks and self.source_checks[s][1]["check_status"] in CHECK_TO_REVIEW:
                    self.cites_to_review.append((self.code(loc), self._one(model.id), s))
        if not self.keep:
            props = {key: props[key] for key in ("number", "updated", "when") if key in props} or NO_PROPS
        node = Node(label, self._one(model.id), props)
        self.by_id[node.id] = node

    def _take_link(self, loc: Loc, data: dict[str, Any], from_field: str = "from", to_field: str = "to") -> None:
        """Check what of one relationship does not depend on other nodes as it is read, and keep it for the
        relationship step (``settle``)."""
        source, target = data.pop("from", None), data.pop("to", None)
        self._link(loc, source, target, data, from_field, to_field)

    def _link(
        self,
        loc: Loc,
        source: Any,
        target: Any,
        data: dict[str, Any],
        from_field: str = "from",
        to_field: str = "to",
        cells: tuple[Any, ...] | None = None,
    ) -> None:
        """``_take_link`` of a link's ends and other properties. ``cells``: the key of the properties as the cells of
        a table's row gave them, before their lists were split (``None`` first, then each column and its text)."""
        link = Link(
            self.code(loc),
            self._one(source) if isinstance(source, str) else source,
            self._one(target) if isinstance(target, str) else target,
            from_field,
            to_field,
        )
        self.links.append(link)
        type_text = data.pop("type", None)
        link.type = _REL_TYPES.get(type_text) if isinstance(type_text, str) else None
        key = cells if cells is not None else _frozen(link.type, data) if link.type is not None else None
        known = self.valid_links.get(key) if key is not None and link.type is not None else None
        if known is not None:  # the same properties as a link before: the same checks would find them valid
            props, link.confidence, link.sources, link.countries, link.reviewed, link.note = known
            link.props = {k: list(v) if type(v) is list else v for k, v in props.items()} if self.keep else NO_PROPS
            return
        later = Problems()
        if type_text is None:
            later.add(loc, "type", "required property is missing")
        elif link.type is None:
            try:
                link.type = RelType(str(type_text))
            except ValueError:
                later.add(loc, "type", f"unknown relationship type {excerpt(type_text)}; known: {', '.join(RelType)}")
        model = self._pydantic(loc, REL_MODELS[link.type], data, later) if link.type else None
        props = to_properties(model) if model is not None else {}
        if model is not None:
            for field, reason in self._years(props):  # ``to_properties`` leaves out only what it does not read
                later.add(loc, field, reason)
                model = None
        if later.items:
            if self.later < self.limits.max_problems:
                link.later = tuple((p.field, p.reason) for p in later.items)
                self.later += len(later.items)
            else:  # past what the relationship step can list: counted only
                link.later = len(later.items)
        if model is not None:
            link.props = props if self.keep else NO_PROPS
            link.confidence = self._one(str(props["confidence"]))
            link.sources = self._one(tuple(self._one(s) for s in props["sources"]))
            link.countries = self._one(tuple(self._one(c) for c in props.get("countries", ())))
            link.reviewed = self._one(props["reviewed"]) if "reviewed" in props else None
            link.note = says_why_outside(str(props.get("note") or ""))
            if key is not None and len(self.valid_links) < _KNOWN_LINKS:  # the first ones: the common ones
                kept = {k: list(v) if type(v) is list else v for k, v in props.items()} if self.keep else NO_PROPS
                self.valid_links[key] = (kept, link.confidence, link.sources, link.countries, link.reviewed, link.note)

    def nodes(self) -> None:
        """The node step: its problems were found as the nodes were read; they follow the reading problems."""
        self.problems.extend(self.node_problems)
        for source, (where, _) in self.source_checks.items():
            node = self.by_id.get(source)
            if (node is None or node.label is not Label.SOURCE) and source not in self.invalid_ids:
                self.problems.add(self.at(where), "source", f"no Source node {excerpt(source)} in the dataset")
        self.node_problems = Problems(0)
