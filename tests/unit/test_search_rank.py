"""Search's ranking (``bpkg.app.store.search.rank``) against a plain reference written from its rules.

``rank`` scores each candidate with C-level tests of each field's words and tells only the hits kept which fields
matched. The reference below scores every candidate in the plainest way (each word of each field looked at in
Python, the fields that matched collected while scoring), filters the candidates none of whose words starts
with a word of the text, and sorts them all. Both backends rank through ``rank``, so the contract suite cannot
see a fault of it: this does.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bpkg.app.store.base import LABEL_ORDER, ref
from bpkg.app.store.graph_types import NodeData
from bpkg.app.store.question_types import SearchHit
from bpkg.app.store.search import Words, rank, tokens_of

_WEIGHT = {"name": 3.0, "aliases": 3.0, "id": 2.0, "description": 1.0}


def _reference_score(node: Words, tokens: list[str], phrase: str) -> tuple[float, list[str]]:
    total, matched = 0.0, set()
    fields = {"name": node.name, "aliases": node.aliases, "description": node.description, "id": node.id}
    for token in tokens:
        for field, found in fields.items():
            if token in found:
                total += _WEIGHT[field]
                matched.add(field)
            elif any(w.startswith(token) for w in found):
                total += _WEIGHT[field] / 2
                matched.add(field)
    names = [" ".join(node.name), *(joined for _, joined in node.other_names)]
    if phrase and phrase in names:
        total += 10.0
    elif phrase and any(phrase in name for name in names):
        total += 4.0
    return total, sorted(matched)


def _reference_alias(node: Words, tokens: list[str], phrase: str) -> str | None:
    others = node.other_names
    for written, joined in others:
        if joined == phrase:
            return written
    for written, joined in others:
        if phrase and phrase in joined:
            return written
    for written, joined in others:
        if any(w.startswith(t) for w in joined.split() for t in tokens):
            return written
    return None


def _reference_rank(candidates: list[Words], q: str, limit: int) -> list[SearchHit]:
    tokens, phrase = tokens_of(q)
    hits = []
    for node in candidates:
        if not any(w.startswith(t) for w in node.all() for t in tokens):
            continue
        points, matched = _reference_score(node, tokens, phrase)
        alias = _reference_alias(node, tokens, phrase) if "aliases" in matched else None
        hits.append(SearchHit(node=ref(node.node), score=points, matched=matched, alias=alias))
    hits.sort(key=lambda h: (-h.score, LABEL_ORDER.get(h.node.label, 99), h.node.id))
    return hits[:limit]


# Few letters, so that words share prefixes, equal each other and the text, and names contain the text.
_WORD = st.text(alphabet="abc", min_size=1, max_size=3)
_TEXT = st.lists(_WORD, max_size=4).map(" ".join)


@st.composite
def _nodes(draw: st.DrawFn) -> list[Words]:
    count = draw(st.integers(0, 30))
    labels = draw(st.lists(st.sampled_from(sorted(LABEL_ORDER)), min_size=count, max_size=count))
    out = []
    for i, label in enumerate(labels):
        props: dict[str, object] = {"name": draw(_TEXT), "confidence": "reported"}
        if draw(st.booleans()):
            props["aliases"] = draw(st.lists(_TEXT, max_size=3))
        if draw(st.booleans()):
            props["description"] = draw(_TEXT)
        node_id = f"{draw(_WORD)}-{i}"
        out.append(Words.of(NodeData(id=node_id, label=label, props=props)))
    return out


@settings(max_examples=400, deadline=None)
@given(candidates=_nodes(), q=st.lists(_WORD, min_size=1, max_size=3).map(" ".join), limit=st.integers(1, 12))
def test_rank_gives_the_hits_the_rules_give(candidates: list[Words], q: str, limit: int) -> None:
    tokens, phrase = tokens_of(q)
    assert rank(candidates, tokens, phrase, limit) == _reference_rank(candidates, q, limit)


def test_a_candidate_whose_words_only_contain_the_text_is_no_hit_even_with_a_name_that_contains_it() -> None:
    # A full-text candidate found by infix ("action" for "tion"): its name contains the text, which alone would
    # be worth points, but no word of it starts with the text.
    node = Words.of(NodeData(id="x-1", label="Activity", props={"name": "action", "confidence": "reported"}))
    tokens, phrase = tokens_of("tion")
    assert rank([node], tokens, phrase, 5) == []
    tokens, phrase = tokens_of("act")
    assert [(h.node.id, h.score, h.matched) for h in rank([node], tokens, phrase, 5)] == [("x-1", 5.5, ["name"])]
