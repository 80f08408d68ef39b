"""Search: which nodes match a text and how they rank (shared by both adapters).

A node matches when some word of its name, other names (``aliases``), description or id starts with a word of
the text; a whole word counts twice a prefix, the name and other names three times the description and the id
twice, and a name or other name equal to (or containing) the whole text ranks first. Adapters find the
candidates natively (memory: a sorted word index built at load; Neo4j: the full-text index) and rank them here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from itertools import repeat
from typing import Final, NamedTuple

from bpkg.app.errors import InvalidQuery
from bpkg.app.search_words import words
from bpkg.app.store.base import LABEL_ORDER, MAX_SEARCH_TOKENS, ref
from bpkg.app.store.graph_types import NodeData
from bpkg.app.store.question_types import SearchHit

FIELDS: Final = ("name", "aliases", "description", "id")
_WEIGHTS: Final = {"name": 3.0, "aliases": 3.0, "id": 2.0, "description": 1.0}


class Words(NamedTuple):
    """The search words of one node, per field (computed once per node by the memory adapter; by Neo4j's for each
    full-text candidate, up to a hundred thousand of them for a common word: a tuple, made faster than a frozen
    dataclass, which sets each field through ``object.__setattr__``)."""

    node: NodeData
    name: tuple[str, ...]
    aliases: tuple[str, ...]
    description: tuple[str, ...]
    id: tuple[str, ...]
    other_names: tuple[tuple[str, str], ...]
    """Each other name as written and as its words joined by spaces."""

    @classmethod
    def of(cls, node: NodeData) -> Words:
        props = node.props
        others = tuple((a, " ".join(words(a))) for a in aliases_of(node)) if "aliases" in props else ()
        description = props.get("description", "")
        return cls(
            node,
            tuple(words(str(props.get("name", "")))),
            tuple(w for _, joined in others for w in joined.split()),
            tuple(words(str(description))) if description != "" else (),
            tuple(words(node.id)),
            others,
        )

    def all(self) -> Iterable[str]:
        return (*self.name, *self.aliases, *self.description, *self.id)


def tokens_of(q: str) -> tuple[list[str], str]:
    """The distinct words of a search text (at most ``MAX_SEARCH_TOKENS``) and the whole text as words."""
    tokens = list(dict.fromkeys(words(q)))[:MAX_SEARCH_TOKENS]
    if not tokens:
        raise InvalidQuery("the search text has no letters or digits")
    return tokens, " ".join(words(q))


def aliases_of(node: NodeData) -> list[str]:
    """A node's other names (its ``aliases`` property; none when it has none)."""
    value = node.props.get("aliases")
    return [str(a) for a in value] if isinstance(value, list | tuple) else []


def _other_name(node: Words, tokens: list[str], phrase: str) -> str | None:
    """The other name that matched: the one equal to the text, else containing it, else with a matching word."""
    for test in (
        lambda joined: joined == phrase,
        lambda joined: bool(phrase) and phrase in joined,
        lambda joined: any(w.startswith(t) for w in joined.split() for t in tokens),
    ):
        for written, joined in node.other_names:
            if test(joined):
                return written
    return None


def matched(node: Words, tokens: list[str]) -> list[str]:
    """The fields (``FIELDS``, sorted) of which some word starts with a word of the text."""
    return sorted(f for f in FIELDS if any(any(map(str.startswith, getattr(node, f), repeat(t))) for t in tokens))


def rank(candidates: Iterable[Words], tokens: list[str], phrase: str, limit: int) -> list[SearchHit]:
    """The best ``limit`` hits among the candidates, by score, then label order, then id; a candidate none of whose
    words starts with a word of the text is no hit (it can only be a full-text candidate: Neo4j's index finds
    words by infix). A common word has a hundred thousand candidates at 1M relationships, so each is scored by
    ``_points`` (C-level tests of each field's words), and only the hits kept are made and told which fields
    matched."""
    scored: list[tuple[float, int, str, Words]] = []
    for node in candidates:
        points = _points(node, tokens)
        if points > 0:
            points += _bonus(node, phrase)
            scored.append((-points, LABEL_ORDER.get(node.node.label, 99), node.node.id, node))
    best = heapq.nsmallest(limit, scored, key=_order)
    hits = []
    for points, _, _, node in best:
        fields = matched(node, tokens)
        hits.append(
            SearchHit(
                node=ref(node.node),
                score=-points,
                matched=fields,
                alias=_other_name(node, tokens, phrase) if "aliases" in fields else None,
            )
        )
    return hits


def _points(node: Words, tokens: list[str]) -> float:
    """The points for the words of each field, per word of the text: the field's weight (``_WEIGHTS``) when the
    word is one of the field's words, half of it when it only starts one of them."""
    total = 0.0
    for field, weight in _WEIGHTS.items():
        words_of: tuple[str, ...] = getattr(node, field)
        if words_of:
            for token in tokens:
                if token in words_of:
                    total += weight
                elif any(map(str.startswith, words_of, repeat(token))):
                    total += weight / 2
    return total


def _bonus(node: Words, phrase: str) -> float:
    """The points for the whole text (its words joined by spaces): 10 for a name or other name equal to it, else
    4 for one containing it."""
    if not phrase:
        return 0.0
    names = [" ".join(node.name), *(joined for _, joined in node.other_names)]
    if phrase in names:
        return 10.0
    return 4.0 if any(phrase in name for name in names) else 0.0


def _order(hit: tuple[float, int, str, Words]) -> tuple[float, int, str]:
    return hit[:3]
