"""One definition of a search word: the tokeniser, the search's refusal, the OpenAPI pattern of ``q`` and the
Lucene query the Neo4j adapter builds all follow ``bpkg.app.search_words.WORD_CATEGORIES``, on every code point."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bpkg.app.errors import InvalidQuery
from bpkg.app.http.params import SEARCH_PATTERN
from bpkg.app.search_words import (
    MAX_INDEX_TERM,
    WORD_CATEGORIES,
    WORD_PATTERN,
    index_term,
    is_word_character,
    lower,
    words,
)
from bpkg.app.store.search import tokens_of

EVERY_CODE_POINT = range(sys.maxunicode + 1)
# What Lucene's classic query syntax gives a meaning to (operators, grouping, wildcards, escapes, ranges).
LUCENE_SYNTAX = frozenset('+-&|!(){}[]^"~*?:\\/')


def schema_pattern_matches(pattern: str, text: str) -> bool:
    """Whether ``text`` contains a match of a JSON Schema pattern of the one form the API uses, a class of
    Unicode general categories (``[\\p{L}\\p{N}]``), which Python's ``re`` cannot read; any other form fails."""
    found = re.fullmatch(r"\[((?:\\p\{[A-Z][a-z]?\})+)\]", pattern)
    assert found, f"not a class of Unicode categories: {pattern}"
    categories = tuple(re.findall(r"\\p\{([A-Za-z]+)\}", found.group(1)))
    return any(unicodedata.category(char).startswith(categories) for char in text)


def refused(q: str) -> bool:
    try:
        tokens_of(q)
    except InvalidQuery:
        return True
    return False


def test_the_definition_is_letters_and_digits() -> None:
    assert WORD_CATEGORIES == ("L", "N")
    assert SEARCH_PATTERN == WORD_PATTERN == r"[\p{L}\p{N}]"
    assert words("Côte d'Ivoire, 1.5 ½ İzmir ΟΔΟΣ Straße_2 東京 x²") == [
        "côte", "d", "ivoire", "1", "5", "½", "izmir", "οδοσ", "straße", "2", "東京", "x²",
    ]  # fmt: skip


def test_the_tokeniser_the_refusal_and_the_pattern_agree_on_every_code_point() -> None:
    disagree = []
    for code in EVERY_CODE_POINT:
        char = chr(code)
        defined = is_word_character(char)
        documented = schema_pattern_matches(SEARCH_PATTERN, char)
        if bool(words(char)) != defined or refused(char) == defined or documented != defined:
            disagree.append(hex(code))
    assert disagree == []


def test_lower_casing_maps_each_character_to_one_and_keeps_words_words() -> None:
    # One character at a time, as the index does: no context, no expansion, a letter stays a letter.
    bad = [
        hex(code)
        for code in EVERY_CODE_POINT
        if len(low := lower(chr(code))) != 1 or is_word_character(low) != is_word_character(chr(code))
    ]
    assert bad == []
    assert lower("ΟΔΟΣ İZMİR") == "οδοσ izmir"


def test_a_word_never_holds_lucene_syntax_or_space_on_any_code_point() -> None:
    # The Neo4j adapter writes words into a Lucene query (``*word*``): no character of a word may mean anything there.
    unsafe = [
        hex(code)
        for code in EVERY_CODE_POINT
        if (text := "".join(words(chr(code))))
        and any(c in LUCENE_SYNTAX or c.isspace() or not is_word_character(c) for c in text)
    ]
    assert unsafe == []


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_words_are_the_runs_of_word_characters_of_the_lower_cased_text(text: str) -> None:
    runs: list[str] = []
    current = ""
    for char in "".join(lower(c) for c in text):
        if is_word_character(char):
            current += char
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    assert words(text) == runs
    assert refused(text) == (not runs)
    assert schema_pattern_matches(SEARCH_PATTERN, text) == bool(runs)


def test_an_index_term_is_a_leading_part_of_its_word_on_every_code_point() -> None:
    # What the Neo4j adapter looks for in the index: a prefix of the word (so a superset is found and search
    # narrows it), never a character outside the word, never Lucene syntax.
    bad = []
    for code in EVERY_CODE_POINT:
        for word in words(chr(code)):
            term = index_term(word)
            if not word.startswith(term) or any(c in LUCENE_SYNTAX or c.isspace() for c in term):
                bad.append(hex(code))
    assert bad == []


def test_index_terms_stop_where_the_index_may_cut_a_word() -> None:
    assert index_term("kabul2019") == "kabul2019"
    assert index_term("straße") == "straße"
    assert index_term("x東京") == "x"  # the index holds each ideograph as a term of its own
    assert index_term("東京") == ""  # so the adapter scans rather than miss it
    assert index_term("x²") == "x"  # the index drops '²'
    assert index_term("a" * 315) == "a" * MAX_INDEX_TERM
