"""Problems found while reading or validating a dataset, and the error that carries them all."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any, Final

from bpkg.graph_schema.errors import BpkgError

EXCERPT_CHARS: Final = 80
_FIELD_CHARS: Final = 80
_REASON_CHARS: Final = 600


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reprs() -> reprlib.Repr:
    r = reprlib.Repr()
    r.maxlevel = 2
    r.maxlist = r.maxtuple = r.maxdict = r.maxset = 4
    r.maxstring = r.maxother = r.maxlong = EXCERPT_CHARS
    return r


_REPR: Final = _reprs()


def excerpt(value: object) -> str:
    """A short, quoted rendering of a value from a file for a message: never more than about 80 characters.

    Strings are cut before they are quoted (so a 100 kB name costs nothing), control characters come out
    escaped, and nested values are shown only a few items and levels deep (so a value that refers to
    itself many times over is never expanded).
    """
    if isinstance(value, str):
        return shorten(repr(value[: EXCERPT_CHARS + 1]), EXCERPT_CHARS)
    return shorten(_REPR.repr(value), EXCERPT_CHARS)


@dataclass(frozen=True, slots=True)
class Loc:
    """Where something was read: a file and a row (tables) or line (YAML)."""

    file: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.file}, {self.where}" if self.where else self.file


@dataclass(frozen=True, slots=True)
class Problem:
    loc: Loc
    field: str
    reason: str

    def __str__(self) -> str:
        field = f", field '{self.field}'" if self.field else ""
        return f"{self.loc}{field}: {self.reason}"


class DatasetInvalid(BpkgError):
    """The dataset has problems; nothing was written. ``problems`` lists them (at most ``BPKG_MAX_PROBLEMS``;
    ``omitted`` counts the ones beyond that)."""

    def __init__(self, problems: list[Problem], omitted: int = 0) -> None:
        self.problems = problems
        self.omitted = omitted
        head = f"{len(problems) + omitted} problem(s) found; nothing was written"
        lines = [head, *(f"  - {p}" for p in problems)]
        if omitted:
            lines.append(
                f"  ... and {omitted} more, not listed (only the first {len(problems)} are; BPKG_MAX_PROBLEMS "
                "raises that number)"
            )
        super().__init__("\n".join(lines))


class Problems:
    """Collects problems so that one run reports all of them (the first ``limit``; the rest are counted)."""

    def __init__(self, limit: int | None = None) -> None:
        self.items: list[Problem] = []
        self.limit = limit
        self.omitted = 0

    def add(self, loc: Loc, field: str, reason: str) -> None:
        if self.limit is not None and len(self.items) >= self.limit:
            self.omitted += 1
            return
        # File names and fields can come from the files themselves: keep every message short.
        loc = Loc(shorten(loc.file), loc.where)
        self.items.append(Problem(loc, shorten(field, _FIELD_CHARS), shorten(reason, _REASON_CHARS)))

    def extend(self, other: Problems) -> None:
        """Add ``other``'s problems after these (the ones it counted but did not list are counted here)."""
        for problem in other.items:
            if self.limit is not None and len(self.items) >= self.limit:
                self.omitted += 1
            else:
                self.items.append(problem)
        self.omitted += other.omitted

    def count(self, number: int) -> None:
        """Count ``number`` problems that cannot be listed (they come after ``limit`` others)."""
        self.omitted += number

    def __bool__(self) -> bool:
        return bool(self.items) or self.omitted > 0

    def __len__(self) -> int:
        return len(self.items) + self.omitted

    def raise_if_any(self) -> None:
        if self:
            raise DatasetInvalid(self.items, self.omitted)


def pydantic_reason(err: Any) -> str:
    """A plain reason for one pydantic error, with at most a short excerpt of the value given."""
    kind = err["type"]
    if kind == "missing":
        return "required property is missing"
    if kind == "extra_forbidden":
        return "unknown property (not in the schema for this label or type)"
    given = err.get("input")
    shown = "" if isinstance(given, dict | list | tuple) else f" (got {excerpt(given)})"
    return f"{shorten(str(err['msg']), 300)}{shown}"
