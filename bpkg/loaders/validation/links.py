"""The checks of relationships across files: their ends exist and the schema allows them, no duplicates,
the sources and countries they cite exist, one goal per action point, numbers unique within their holder."""

from __future__ import annotations

from typing import Any, Final

from bpkg.graph_schema import Label, RelType, allowed_targets, is_allowed
from bpkg.loaders.batch import Node
from bpkg.loaders.problems import Loc, excerpt
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
        for link in links:
            loc = self.at(link.where)
            ends: list[Node | None] = []
            for ref, field in ((link.source, link.from_field), (link.target, link.to_field)):
                if ref is None:
                    self.problems.add(loc, field, "required property is missing")
                    ends.append(None)
                elif str(ref) not in self.by_id:
                    self.missing(loc, field, str(ref), f"no node with id {excerpt(ref)} in the dataset")
                    ends.append(None)
                else:
                    ends.append(self.by_id[str(ref)])
            if isinstance(link.later, int):
                self.problems.count(link.later)
            else:
                for field, reason in link.later:
                    self.problems.add(loc, field, reason)
            source, target = ends
            rel_type = link.type
            if rel_type is None or source is None or target is None:
                continue
            if not is_allowed(source.label, rel_type, target.label):
                allowed = sorted(allowed_targets(source.label, rel_type))
                hint = (
                    f"; from {source.label} it may go to {', '.join(allowed)}"
                    if allowed
                    else (f"; no {rel_type} relationship may start at a {source.label}")
                )
                self.problems.add(
                    loc,
                    "type",
                    f"{source.label} -[{rel_type}]-> {target.label} is not allowed by the schema{hint}",
                )
                continue
            if link.props is None:
                continue
            link.source, link.target = source.id, target.id
            first = seen.get(link)
            if first is not None:
                self.problems.add(
                    loc,
                    link.to_field,
                    f"duplicate relationship {link.source} -[{rel_type}]-> {link.target} "
                    f"(first given at {self.at(first.where)})",
                )
                continue
            seen[link] = link
            self.types[rel_type.value] += 1
            self.link_levels[link.confidence] += 1
            out.append(link)
        return out

    def references(self, links: list[Link]) -> None:
        by_id = self.by_id

        def check(loc: Loc, field: str, ids: tuple[str, ...], label: Label) -> None:
            for ident in ids:
                found = by_id.get(ident)
                reason = f"{excerpt(ident)} is not a {label} node in the dataset"
                if found is None:
                    self.missing(loc, field, ident, reason)
                elif found.label is not label:
                    self.problems.add(loc, field, reason)

        for ident, sources in self.pending_sources.items():
            check(self.at(self.first_seen[ident]), "sources", sources, Label.SOURCE)
        under: dict[str, tuple[str, int]] = {}
        for link in links:
            loc = self.at(link.where)
            check(loc, "sources", link.sources, Label.SOURCE)
            check(loc, "countries", link.countries, Label.COUNTRY)
            if link.type is RelType.UNDER:
                if link.source in under and under[link.source][0] != link.target:
                    goal, where = under[link.source]
                    self.problems.add(
                        loc,
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
