"""The words the pages use: labels, relationship types and counts as people say them, and notes without
internal references (file names, source ids, section marks), which are kept as curation notes instead."""

from __future__ import annotations

import re
from typing import Final

from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.dates import DateError, DateSpan, Precision, parse_when

# (one, several) for every label.
LABELS: Final[dict[str, tuple[str, str]]] = {
    Label.PROCESS: ("Process", "Processes"),
    Label.ORGANISATION: ("Organisation", "Organisations"),
    Label.DECLARATION: ("Declaration", "Declarations"),
    Label.ACTION_PLAN: ("Action plan", "Action plans"),
    Label.COMMITMENT: ("Commitment", "Commitments"),
    Label.PRIORITY_GOAL: ("Priority goal", "Priority goals"),
    Label.ACTION_POINT: ("Action point", "Action points"),
    Label.PROJECT: ("Project", "Projects"),
    Label.COMPONENT: ("Component", "Components"),
    Label.ACTIVITY: ("Activity", "Activities"),
    Label.OUTPUT: ("Output", "Outputs"),
    Label.COUNTRY: ("Country", "Countries"),
    Label.REGION: ("Region", "Regions"),
    Label.EVENT: ("Event", "Events"),
    Label.SOURCE: ("Source", "Sources"),
}

# How a relationship reads from its start (out) and from its end (in).
RELATIONS: Final[dict[str, tuple[str, str]]] = {
    RelType.ADOPTED: ("adopted", "adopted by"),
    RelType.MAKES: ("makes", "made in"),
    RelType.LAUNCHES: ("launches", "launched by"),
    RelType.SETS: ("sets", "set by"),
    RelType.CONTAINS: ("contains", "part of"),
    RelType.UNDER: ("under the goal", "includes"),
    RelType.HAS_COMPONENT: ("has the component", "part of"),
    RelType.PART_OF: ("part of", "includes"),
    RelType.RESPONDS_TO: ("responds to", "responded to by"),
    RelType.INFORMS: ("informs", "informed by"),
    RelType.DISCUSSED: ("discussed", "discussed at"),
    RelType.IN_COUNTRY: ("takes place in", "hosts"),
    RelType.ACTIVE_IN: ("active in", "has active"),
    RelType.PARTICIPATES_IN: ("participates in", "has as participant"),
    RelType.IN_REGION: ("in the region", "includes"),
    RelType.FUNDS: ("funds", "funded by"),
    RelType.IMPLEMENTS: ("implements", "implemented by"),
    RelType.PRODUCED: ("produced", "produced by"),
}


def label(value: str, n: int = 1) -> str:
    """``ActionPoint`` as ``Action point`` (``Action points`` when ``n`` is not 1)."""
    one, several = LABELS.get(value, (value, value))
    return one if n == 1 else several


def relation(rel_type: str, direction: str) -> str:
    """``CONTAINS`` seen from its end as ``part of``; unknown types in lower case words."""
    out, into = RELATIONS.get(rel_type, (rel_type.lower().replace("_", " "),) * 2)
    return out if direction == "out" else into


def count(n: int, one: str, several: str | None = None) -> str:
    """``1 node``, ``2 nodes``."""
    return f"{n} {one if n == 1 else (several or one + 's')}"


# What only a curator understands: file names, source and node ids, section marks, the curation files.
_INTERNAL: Final = re.compile(
    r"[\w.-]+\.(?:csv|xlsx|ya?ml|md|txt|json|py)\b|§|\bsource-[a-z0-9-]+|\bseed file\b|\bthe facts\b|\bfacts name\b"
    r"|\bfacts\b(?= give| list| record)|\bin the facts\b",
    re.IGNORECASE,
)
_PARENS: Final = re.compile(r"\s*\([^()]*\)")


def is_internal(text: str) -> bool:
    return bool(_INTERNAL.search(text))


def plain(text: str | None) -> str:
    """A note without its internal references: parenthesised references dropped, then any clause (between
    top-level semicolons or commas) that still holds one. Empty when nothing is left (a curation note)."""
    if not text:
        return ""
    kept = _PARENS.sub(lambda m: "" if is_internal(m.group(0)) else m.group(0), text)
    out: list[str] = []
    for clause, separator in _clauses(kept):
        if clause.strip() and not is_internal(clause):
            out.append(clause.strip() + separator)
    return " ".join(out).rstrip(";, ")


def _clauses(text: str) -> list[tuple[str, str]]:
    """``text`` cut at semicolons and commas outside brackets, each clause with the separator after it."""
    found: list[tuple[str, str]] = []
    depth, start = 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in ";," and depth == 0 and (i + 1 == len(text) or text[i + 1] == " "):
            found.append((text[start:i], char))
            start = i + 1
    found.append((text[start:], ""))
    return found


def curation(text: str | None) -> str:
    """The whole note, when the page shows less of it (for the collapsed "curation notes")."""
    if not text:
        return ""
    return text if plain(text) != text.strip() else ""


def _day(span: DateSpan) -> str:
    """One date as people write it: ``20 February 2019``, ``February 2019``, ``2019``; ``about``/``(uncertain)``."""
    first = span.earliest
    if span.precision == Precision.DAY and first == span.latest:
        text = f"{first.day} {first:%B %Y}"
    elif span.precision == Precision.MONTH and first.month == span.latest.month and first.year == span.latest.year:
        text = f"{first:%B %Y}"
    elif first.year == span.latest.year:
        text = str(first.year)
    else:
        text = f"between {first.isoformat()} and {span.latest.isoformat()}"
    if span.approximate:
        text = f"about {text}"
    return f"{text} (uncertain)" if span.uncertain and not text.endswith(")") else text


def when(text: str | None) -> str:
    """A ``when`` in words: ``2015-10/..`` as ``from October 2015, no end recorded``; the text as written when it
    cannot be read (the loader refuses such texts)."""
    if not text:
        return ""
    if text.startswith("[") and text.endswith("]") and "/" not in text:
        return " or ".join(when(part.strip()) for part in text[1:-1].split(",")) + " (the source leaves it open)"
    try:
        found = parse_when(text)
    except DateError:
        return text
    if not found.interval:
        return _day(found.start) if found.start else text
    if found.start is None:
        return f"until {_day(found.end)}" if found.end else text
    if found.end is None:
        return f"from {_day(found.start)}, no end recorded"
    return f"{_day(found.start)} to {_day(found.end)}"
