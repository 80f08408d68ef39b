"""Plan links across periods: a response to an action point from a responder whose dates lie wholly outside
the period of the action plan holding that action point, unless the link's note says why."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from bpkg.graph_schema import DateError, Label, RelType, When, parse_when
from bpkg.loaders.batch import Node
from bpkg.loaders.validation.state import Link

# A plan link whose responder's dates lie outside the plan's period is kept without a warning when its note says
# so in words: that the responder came before or after the plan, or lies outside its period (docs/dataset-format.md).
OUTSIDE_WORDS: Final = ("before the plan", "after the plan", "outside the plan")


def says_why_outside(note: str) -> bool:
    lowered = note.lower()
    return any(words in lowered for words in OUTSIDE_WORDS)


def _period(node: Node | None) -> When | None:
    text = node.props.get("when") if node is not None else None
    if not text:
        return None
    try:
        return parse_when(str(text))
    except DateError:
        return None  # reported as a node problem already


def anachronisms(by_id: Mapping[str, Node], links: Iterable[Link]) -> Iterator[tuple[Link, str]]:
    """Links that respond to an action point from a responder whose dates lie wholly outside the period of the
    action plan containing that action point (ended before it began, or began after it ended), unless the link's
    note says why; each with the reason to show. Undated responders and plans are never flagged."""
    listed = list(links)
    plan_of = {
        str(link.target): str(link.source)
        for link in listed
        if link.type is RelType.CONTAINS and by_id[str(link.source)].label is Label.ACTION_PLAN
    }
    for link in listed:
        if link.type is not RelType.RESPONDS_TO or link.note or str(link.target) not in plan_of:
            continue
        plan_id = plan_of[str(link.target)]
        plan, responder = _period(by_id.get(plan_id)), _period(by_id.get(str(link.source)))
        if plan is None or responder is None:
            continue
        if responder.latest is not None and plan.earliest is not None and responder.latest < plan.earliest:
            side = "ended before"
        elif responder.earliest is not None and plan.latest is not None and responder.earliest > plan.latest:
            side = "began after"
        else:
            continue
        yield (
            link,
            f"{link.source} ({responder.text}) {side} the period of {plan_id} ({plan.text}), yet responds to "
            f"{link.target}: link a responder of the plan's period, or say in the row's note why it lies before "
            "or after the plan",
        )
