"""Search: which nodes match a text and how they rank (shared by both adapters).

A node matches when some word of its name, description or id starts with a word of the text; a whole word
counts twice a prefix, the name three times the description and the id twice, and a name equal to (or
containing) the whole text ranks first. Adapters find the candidates natively (memory: a sorted word index
built at load; Neo4j: the full-text index) and rank them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from app.errors import InvalidQuery
from app.search_words import words
from app.store.base import LABEL_ORDER, MAX_SEARCH_TOKENS, ref
from app.store.models import NodeData
from app.store.results import SearchHit

FIELDS: Final = ("name", "description", "id")
_WEIGHTS: Final = {"name": 3.0, "id": 2.0, "description": 1.0}


@dataclass(frozen=True, slots=True)
class Words:
    """The search words of one node, per field (computed once per node by the memory adapter)."""

    node: NodeData
    name: tuple[str, ...]
    description: tuple[str, ...]
    id: tuple[str, ...]

    @classmethod
    def of(cls, node: NodeData) -> Words:
        return cls(
            node,
            tuple(words(str(node.props.get("name", "")))),
            tuple(words(str(node.props.get("description", "")))),
            tuple(words(node.id)),
        )

    def all(self) -> Iterable[str]:
        return (*self.name, *self.description, *self.id)

    def matches(self, tokens: list[str]) -> bool:
        return any(w.startswith(t) for w in self.all() for t in tokens)


def tokens_of(q: str) -> tuple[list[str], str]:
    """The distinct words of a search text (at most ``MAX_SEARCH_TOKENS``) and the whole text as words."""
    tokens = list(dict.fromkeys(words(q)))[:MAX_SEARCH_TOKENS]
    if not tokens:
        raise InvalidQuery("the search text has no letters or digits")
    return tokens, " ".join(words(q))


def score(node: Words, tokens: list[str], phrase: str) -> tuple[float, list[str]]:
    total = 0.0
    matched: set[str] = set()
    fields = {"name": node.name, "description": node.description, "id": node.id}
    for token in tokens:
        for field, ws in fields.items():
            if token in ws:
                total += _WEIGHTS[field]
                matched.add(field)
            elif any(w.startswith(token) for w in ws):
                total += _WEIGHTS[field] / 2
                matched.add(field)
    name = " ".join(node.name)
    if phrase and name == phrase:
        total += 10.0
    elif phrase and phrase in name:
        total += 4.0
    return total, sorted(matched)


def rank(candidates: Iterable[Words], tokens: list[str], phrase: str, limit: int) -> list[SearchHit]:
    """The best ``limit`` hits among the candidates, by score, then label order, then id."""
    hits: list[SearchHit] = []
    for node in candidates:
        points, matched = score(node, tokens, phrase)
        if points > 0:
            hits.append(SearchHit(node=ref(node.node), score=points, matched=matched))
    hits.sort(key=lambda h: (-h.score, LABEL_ORDER.get(h.node.label, 99), h.node.id))
    return hits[:limit]
