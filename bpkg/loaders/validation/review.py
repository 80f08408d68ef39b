"""Warnings about a valid dataset: facts resting on a source whose page changed or vanished, plan links across
periods, and links reviewed before a node they rest on last changed."""

from __future__ import annotations

from dataclasses import dataclass

from bpkg.graph_schema import changed_ends, parse_date
from bpkg.graph_schema.properties import CHECK_TO_REVIEW
from bpkg.loaders.batch import GraphBatch, Rel
from bpkg.loaders.problems import Problem, Problems
from bpkg.loaders.validation.columns import SOURCE_CHECKS
from bpkg.loaders.validation.periods import anachronisms
from bpkg.loaders.validation.state import Link, ValidationState


class ReviewWarnings(ValidationState):
    """The warnings of a valid dataset, with the file and row or line of each."""

    def _found(self, source: str) -> str:
        found = self.source_checks[source][1]
        return (
            f"rests on {source}, whose page was found {found['check_status']} on {found['checked_on']} "
            f"({SOURCE_CHECKS}); check the fact against the page, then run bpkg sources check --write "
            f"--accept {source} (a page gone: cite another)"
        )

    def warnings(self, links: list[Link]) -> list[Problem]:
        """Suspect links (see ``suspect_links``) and plan links across periods (see ``anachronisms``), with the
        file and row or line of each."""
        updated = {n.id: parse_date(str(n.props["updated"])) for n in self.by_id.values() if "updated" in n.props}
        warnings = Problems()
        for link, reason in anachronisms(self.by_id, links):
            warnings.add(self.at(link.where), "when", reason)
        for where, node_id, source in self.cites_to_review:
            warnings.add(self.at(where), "sources", f"to review: {node_id} {self._found(source)}")
        if self.source_checks:
            for link in links:
                for source in link.sources:
                    if self.source_checks.get(source, (0, {}))[1].get("check_status") in CHECK_TO_REVIEW:
                        assert link.type is not None
                        fact = f"{link.source} -[{link.type}]-> {link.target}"
                        warnings.add(self.at(link.where), "sources", f"to review: {fact} {self._found(source)}")
        for link in links:
            changed = changed_ends(updated, (link.source, link.target), link.reviewed)
            if changed:
                assert link.type is not None
                changes = ", ".join(f"{end} was updated {self.by_id[end].props['updated']}" for end in changed)
                warnings.add(
                    self.at(link.where),
                    "reviewed",
                    f"suspect link {link.source} -[{link.type}]-> {link.target}: {changes}, after the link was "
                    f"reviewed ({link.reviewed}); check it and give the date of that review",
                )
        return warnings.items


@dataclass(frozen=True, slots=True)
class StaleReview:
    """A link reviewed before a node it rests on last changed (``updated`` later than the link's ``reviewed``)."""

    rel: Rel
    changed: tuple[str, ...]  # ids of the end nodes updated after the review


def suspect_links(batch: GraphBatch) -> list[StaleReview]:
    """Links with a ``reviewed`` date whose source or target node has an ``updated`` date that may be later.

    When the precisions leave it open (reviewed ``2024-05``, updated ``2024-05-10``) the link is suspect: it
    asks for a second look, which costs less than a stale link. Links without ``reviewed`` are never suspect."""
    updated = {n.id: parse_date(str(n.props["updated"])) for n in batch.nodes if "updated" in n.props}
    out: list[StaleReview] = []
    for rel in batch.rels:
        changed = changed_ends(updated, (rel.source, rel.target), rel.props.get("reviewed"))
        if changed:
            out.append(StaleReview(rel, changed))
    return out
