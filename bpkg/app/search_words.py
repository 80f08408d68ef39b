"""What search reads as a word, defined once.

A word is a run of letters and digits: characters whose Unicode general category is a letter (``L*``) or a
number (``N*``), in the text lower-cased one character at a time (``lower``). Everything else (spaces,
punctuation, symbols, marks, ``_``) separates words. The tokeniser (``words``; search refuses a text it finds
no word in) and the pattern the OpenAPI document gives for ``q`` (``WORD_PATTERN``) both come from
``WORD_CATEGORIES``; a unit test checks them against it on every Unicode code point.

Lower-casing character by character, not case folding or NFKC: Neo4j's full-text index lower-cases each
character on its own and neither folds nor normalises, so a word folded here (``straße`` to ``strasse``, ``ﬁ``
to ``fi``), or lower-cased by context (a word-final ``Σ`` to ``ς``, as ``str.lower`` does), could be found by
the memory store and missed by Neo4j. This keeps every word a letter-for-letter part of what the index holds.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

WORD_CATEGORIES: Final = ("L", "N")
"""The Unicode general categories (major class) of the characters words are made of: letters and numbers."""

# CPython's ``\w`` is ``str.isalnum()`` plus ``_`` (re module docs), and ``str.isalnum()`` holds for exactly the
# characters of categories L* and N* (checked on every code point by tests/unit/test_search_words.py): so
# ``[^\W_]`` is WORD_CATEGORIES, as a fast regular expression.
_WORD: Final = re.compile(r"[^\W_]+")

# Neo4j's full-text index (Lucene's standard analyzer) keeps cased letters and decimal digits together in one
# term, lower-cased as Python lower-cases them, for every character Unicode 3.2 already had (measured on every
# code point: tests/contract/test_search_words_neo4j.py). It cuts other letters apart (ideographs, kana) or drops
# them (most N* other than digits), so only this part of a word can go into its query.
_INDEXED_WHOLE: Final = frozenset({"Ll", "Lu", "Lt", "Nd"})
MAX_INDEX_TERM: Final = 100
"""Longest index term: Lucene cannot build the automaton of some long wildcard terms (TooComplexToDeterminize
from 315 repeated letters); a prefix finds a superset, which search then narrows."""

# str.lower() maps two characters otherwise than one at a time: 'İ' to 'i' and a combining dot, a word-final 'Σ'
# to 'ς'. Mapped first to what Java's (and so Lucene's) per-character lower-casing gives.
_ONE_AT_A_TIME: Final = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3"})

WORD_PATTERN: Final = "[" + "".join(f"\\p{{{category}}}" for category in WORD_CATEGORIES) + "]"
"""One word character, in the regular expressions of JSON Schema (ECMA-262 with Unicode property escapes)."""


def is_word_character(char: str) -> bool:
    """Whether one character is part of a word (the definition the tokeniser implements)."""
    return unicodedata.category(char)[0] in WORD_CATEGORIES


def lower(text: str) -> str:
    """The text lower-cased one character at a time (each character to exactly one)."""
    if "\u0130" in text or "\u03a3" in text:  # rare: skip the copy otherwise (search indexes every text at load)
        text = text.translate(_ONE_AT_A_TIME)
    return text.lower()


def words(text: str) -> list[str]:
    """The lower-case words of a text, in order, as search sees them."""
    return _WORD.findall(lower(text))


def index_term(word: str) -> str:
    """The part of a search word that Neo4j's full-text index holds letter for letter inside one of its terms:
    the word's leading run of cased letters and decimal digits known to Unicode 3.2, at most ``MAX_INDEX_TERM``
    long. An infix wildcard query for it (``*term*``) finds every node with a word starting with ``word``, and
    it holds nothing Lucene's query syntax reads. Empty when the word starts otherwise: the adapter then scans."""
    end = 0
    for char in word[:MAX_INDEX_TERM]:
        if unicodedata.category(char) not in _INDEXED_WHOLE or unicodedata.ucd_3_2_0.category(char) == "Cn":
            break
        end += 1
    return word[:end]
