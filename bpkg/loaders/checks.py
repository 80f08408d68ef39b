"""Checks every value read from a file must pass before it is validated against the schema.

Text is refused when it is longer than ``max_string_chars`` or holds control characters (NUL, BEL, ...);
tabs and line breaks are allowed only in free-text fields (description, note, ...); invisible
bidirectional controls (U+202A-U+202E, U+2066-U+2069), which can make an id or a name display as
something it is not, are allowed only in free text. Booleans are refused everywhere: no property is a
yes/no value, and YAML reads an unquoted ``yes``/``no``/``true`` as one (``number: true`` is not 1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from typing import Final

from bpkg.loaders.limits import Limits

FREE_TEXT: Final = frozenset({"description", "note", "text", "citation", "illustrative"})
"""Fields that may hold tabs, line breaks and bidirectional controls (text in any script, over lines)."""

_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LAYOUT: Final = re.compile("[\t\n\r\u2028\u2029]")
_BIDI: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Every character any of the three patterns above finds (and \t, \n, \r): text with none of them, within the length
# limit, has no problem in any field, so that one search can clear a whole row (``plain_texts``).
_SUSPECT: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _char_name(char: str) -> str:
    return unicodedata.name(char, "").title() or "control"


def text_problem(field: str, text: str, limits: Limits) -> str | None:
    """Why ``text`` cannot be the value of ``field``, or ``None`` when it can."""
    if len(text) > limits.max_string_chars:
        return f"the text is {len(text)} characters long; {limits.hint('max_string_chars')}"
    found = _CONTROL.search(text)
    if found:
        char = found.group()
        what = "a NUL byte (U+0000)" if char == "\0" else f"the control character U+{ord(char):04X}"
        return f"contains {what} at character {found.start() + 1}; control characters are not allowed"
    if field in FREE_TEXT:
        return None
    found = _BIDI.search(text)
    if found:
        char = found.group()
        return (
            f"contains the invisible bidirectional control U+{ord(char):04X} ({_char_name(char)}) at character "
            f"{found.start() + 1}; it can make text display differently from what it is, so it is not allowed "
            "in names and ids"
        )
    start = len(text) - len(text.lstrip())
    found = _LAYOUT.search(text, start, len(text.rstrip()))
    if found:
        what = "a tab" if found.group() == "\t" else "a line break"
        return (
            f"contains {what} at character {found.start() + 1}; only {', '.join(sorted(FREE_TEXT))} may hold "
            "tabs and line breaks"
        )
    return None


def plain_texts(values: Collection[object], limits: Limits) -> bool:
    """Whether every value is text that ``text_problem`` accepts in any field, found with one search over all of
    them. ``False`` says only that a value needs the detailed check (``value_problems``), not that it fails it."""
    try:
        joined = " ".join(values)  # type: ignore[arg-type]  # a value that is not text: the detailed check
    except TypeError:
        return False
    if _SUSPECT.search(joined) is not None:
        return False
    return len(joined) <= limits.max_string_chars or max(map(len, values)) <= limits.max_string_chars  # type: ignore[arg-type]


def value_problems(field: str, value: object, limits: Limits) -> Iterator[str]:
    """Reasons why ``value`` (a scalar or a list of them) cannot be taken as read; nothing when it can.

    Only the first bad item of a list is reported.
    """
    if isinstance(value, bool):
        word = "true" if value else "false"
        yield (
            f"{word} is a yes/no value, not a number or text (YAML reads unquoted yes, no, on, off, true and "
            "false as yes/no values: quote them to mean text)"
        )
    elif isinstance(value, str):
        reason = text_problem(field, value, limits)
        if reason:
            yield reason
    elif isinstance(value, list | tuple):
        for item in value:
            for reason in value_problems(field, item, limits):
                yield reason
                return
