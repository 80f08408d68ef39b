"""The checks of relationships across files: their ends exist and the schema allows them, no duplicates,
the sources and countries they cite exist, one goal per action point, numbers unique within their holder."""

from __future__ import annotations

from typing import Any, Final

from bpkg.graph_schema import Label, RelType, allowed_targets, is_allowed
from bpkg.loaders.batch import Node
from bpkg.loaders.problems import excerpt
from bpkg.loaders.validation.records import RecordChecks
from bpkg.loaders.validation.state import Link

# Numbered nodes whose numbers are unique within the node that holds them (by this relationship).
NUMBERED_UNDER: Final = {
    (RelType.CONTAINS, Label.ACTION_PLAN, Label.ACTION_POINT): "action plan",
    (RelType.SETS, Label.ACTION_PLAN, Label.PRIORITY_GOAL): "action plan",
    (RelType.MAKES, Label.DECLARATION, Label.COMMITMENT): "declaration",
}


class LinkChecks(RecordChecks):
    """The relationship, reference and number steps."""

    def settle(self, links: list[Link], seen: dict[Link, Link]) -> list[Link]:
        """The relationship step for ``links``: their ends, their own problems, the schema, duplicates
        (``seen``: the links settled before). The valid ones, in order."""
        out: list[Link] = []
        by_id = self.by_id
        allowed_pairs: dict[tuple[Label, RelType, Label], bool] = {}
        for link in links:
            source = by_id.get(link.source) if type(link.source) is str else None
            target = by_id.get(link.target) if type(link.target) is str else None
            if source is None or target is None or link.later:  # a problem to report: the full check
                loc = self.at(link.where)
                ends: list[Node | None] = []
                for ref, field in ((link.source, link.from_field), (link.target, link.to_field)):
                    if ref is None:
                        self.problems.add(loc, field, "required property is missing")
                        ends.append(None)
                    elif str(ref) not in by_id:
                        self.missing(loc, field, str(ref), f"no node with id {excerpt(ref)} in the dataset")
                        ends.append(None)
                    else:
                        ends.append(by_id[str(ref)])
                if isinstance(link.later, int):
                    self.problems.count(link.later)
                else:
                    for field, reason in link.later:
                        self.problems.add(loc, field, reason)
                source, target = ends
            rel_type = link.type
            if rel_type is None or source is None or target is None:
                continue
            pair = (source.label, rel_type, target.label)
            allowed = allowed_pairs.get(pair)
            if allowed is None:
                allowed = allowed_pairs[pair] = is_allowed(*pair)
            if not allowed:
                targets = sorted(allowed_targets(source.label, rel_type))
                hint = (
                    f"; from {source.label} it may go to {', '.join(targets)}"
                    if targets
                    else (f"; no {rel_type} relationship may start at a {source.label}")
                )
                self.problems.add(
                    self.at(link.where),
                    "type",
                    f"{source.label} -[{rel_type}]-> {target.label} is not allowed by the schema{hint}",
                )
                continue
            if link.props is None:
                continue
            link.source, link.target = source.id, target.id
            first = seen.setdefault(link, link)  # by key (``Link.__hash__``), holding no second copy of it
            if first is not link:
                self.problems.add(
                    self.at(link.where),
                    link.to_field,
                    f"duplicate relationship {link.source} -[{rel_type}]-> {link.target} "
                    f"(first given at {self.at(first.where)})",
                )
                continue
            self.types[rel_type.value] += 1
            self.link_levels[link.confidence] += 1
            out.append(link)
        return out

    def references(self, links: list[Link]) -> None:
        by_id = self.by_id

        sound: set[tuple[tuple[str, ...], Label]] = set()  # lists of ids found to be nodes of the label

        def check(where: int, field: str, ids: tuple[str, ...], label: Label) -> None:
            if (ids, label) in sound:
                return
            loc = self.at(where)
            for ident in ids:
                found = by_id.get(ident)
                if found is None:
                    self.missing(loc, field, ident, f"{excerpt(ident)} is not a {label} node in the dataset")
                elif found.label is not label:
                    self.problems.add(loc, field, f"{excerpt(ident)} is not a {label} node in the dataset")
            if all((found := by_id.get(ident)) is not None and found.label is label for ident in ids):
                sound.add((ids, label))

        for ident, sources in self.pending_sources.items():
            check(self.first_seen[ident], "sources", sources, Label.SOURCE)
        under: dict[str, tuple[str, int]] = {}
        for link in links:
            check(link.where, "sources", link.sources, Label.SOURCE)
            check(link.where, "countries", link.countries, Label.COUNTRY)
            if link.type is RelType.UNDER:
                if link.source in under and under[link.source][0] != link.target:
                    goal, where = under[link.source]
                    self.problems.add(
                        self.at(link.where),
                        "goal",
                        f"{link.source} is already under {goal} ({self.at(where)}); one goal per action point",
                    )
                else:
                    under[link.source] = (link.target, link.where)

    def numbers(self, links: list[Link]) -> None:
        """Action points (and goals, commitments) have numbers unique within their action plan (declaration)."""
        by_id = self.by_id
        first: dict[tuple[str, Label, Any], str] = {}
        for link in links:
            source, target = by_id[link.source], by_id[link.target]
            assert link.type is not None
            holder = NUMBERED_UNDER.get((link.type, source.label, target.label))
            number = target.props.get("number")
            if holder is None or number is None:
                continue
            other = first.setdefault((source.id, target.label, number), target.id)
            if other != target.id:
                self.problems.add(
                    self.at(self.first_seen[target.id]),
                    "number",
                    f"{target.label} number {number} is used twice in {holder} {source.id}: by {other} "
                    f"({self.at(self.first_seen[other])}) and by {target.id}; numbers are unique within a {holder}",
                )
