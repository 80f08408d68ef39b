"""What the validator keeps while it reads a dataset, and the helpers every step shares: locations as
numbers, value checks, and reporting a link to a missing node once (not again for a file already reported)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from bpkg.graph_schema import RETIRED_DATES, RelType
from bpkg.graph_schema.dates import DATED_FIELDS, outside_years
from bpkg.graph_schema.properties import ID_PATTERN
from bpkg.loaders.batch import Node
from bpkg.loaders.checks import plain_texts, value_problems
from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import Loc, Problems, pydantic_reason
from bpkg.loaders.reading.tables import Table

ID_RE: Final = re.compile(ID_PATTERN)


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """The given values only (a missing cell or property is left out)."""
    return {key: value for key, value in data.items() if value is not None}


NO_PROPS: Final[dict[str, Any]] = {}
"""The properties of a node kept by ``validate_dataset`` when it has no number and no ``updated`` date."""


@dataclass(slots=True)
class FailedFile:
    """A file of nodes that could not be read whole. Links to the nodes it may hold are not reported one by
    one (each would only repeat the file's own problem): they are counted and reported once."""

    name: str
    ids: frozenset[str] | None  # the ids the file holds, as far as they could be read; None: unknown
    skipped: int = 0


class Link:
    """A relationship as read, then checked (``settle``): what the checks across files need of it, and with
    ``keep`` its properties. Only the ends, type and location are kept of one that fails its own checks.

    Settled links compare and hash by their key (source, type, target), so that a set of them finds
    duplicates without a second copy of every key.
    """

    __slots__ = (
        "confidence",
        "countries",
        "from_field",
        "later",
        "note",
        "props",
        "reviewed",
        "source",
        "sources",
        "target",
        "to_field",
        "type",
        "where",
    )

    def __init__(self, where: int, source: Any, target: Any, from_field: str, to_field: str) -> None:
        self.where = where  # see ``ValidationState.code``
        self.source = source  # as read (None when missing; a number in YAML is reported as given)
        self.target = target
        self.from_field = from_field
        self.to_field = to_field
        self.type: RelType | None = None
        # Problems of its own found while reading (type, properties), reported in the relationship step;
        # the number of them when the step can no longer list them.
        self.later: tuple[tuple[str, str], ...] | int = ()
        self.props: dict[str, Any] | None = None  # None: the properties are not valid
        self.sources: tuple[str, ...] = ()
        self.countries: tuple[str, ...] = ()
        self.reviewed: str | None = None
        self.confidence = ""
        self.note = False  # whether its note says why it links across periods (see ``anachronisms``)

    @property
    def key(self) -> tuple[str, str, str]:
        assert self.type is not None
        return (str(self.source), self.type.value, str(self.target))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Link) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


class ValidationState:
    """What a validation keeps as it reads (see ``bpkg.loaders.dataset``'s validator for the steps), and the helpers
    every step uses."""

    def __init__(self, folder: Path, limits: Limits, keep: bool = True) -> None:
        self.folder = folder
        self.limits = limits
        self.keep = keep
        self.problems = Problems(limits.max_problems)
        self.node_problems = Problems(limits.max_problems)
        self.by_id: dict[str, Node] = {}  # valid nodes, in the order read
        self.first_seen: dict[str, int] = {}  # where each id was first given (valid or not; see ``code``)
        self.places: dict[tuple[str, str, bool], int] = {}  # (file, "row" or "line", numbered): its number
        self.place_list: list[tuple[str, str, bool]] = []
        self.row_places: dict[str, int] = {}  # file: the place of its rows (see ``code``)
        self.pending_sources: dict[str, tuple[str, ...]] = {}  # node sources not yet known to be Source nodes
        self.links: list[Link] = []
        self.later = 0  # problems kept in links for the relationship step
        self.plans: list[tuple[str, Table, frozenset[str]]] = []
        self.strings: dict[Any, Any] = {}  # one copy of each id, source list ... kept
        # A link's type and properties (``records._frozen``) found valid: its properties and what the checks across
        # files read of it (confidence, sources, countries, reviewed, note), so that the same ones, which most rows
        # of a large table repeat, are checked once
        self.valid_links: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.labels: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.node_levels: Counter[str] = Counter()
        self.link_levels: Counter[str] = Counter()
        # Ids of nodes that were read but are invalid: their own problem is reported once, and links
        # to them are not reported again as dangling.
        self.invalid_ids: set[str] = set()
        self.failed: list[FailedFile] = []
        self.seen_files: dict[Path, str] = {}
        self.total_bytes = 0
        # source-checks.csv: per source id, the row it was given in and what the last check found of the page
        self.source_checks: dict[str, tuple[int, dict[str, str]]] = {}
        self.cites_to_review: list[tuple[int, str, str]] = []  # (where, node id, source id) of nodes citing one

    def _one(self, value: Any) -> Any:
        return self.strings.setdefault(value, value)

    def code(self, loc: Loc) -> int:
        """A location as one number (a third of the memory of a ``Loc``): its file and unit, then its number."""
        where = loc.where
        if where[:4] == "row " and where[4:].isdigit():  # a table's row, most locations: a look-up of its file
            place = self.row_places.get(loc.file)
            if place is None:
                place = self.row_places[loc.file] = self._place((loc.file, "row", True))
            return place << 32 | int(where[4:])
        unit, _, number = where.rpartition(" ")
        if not number.isdigit():
            unit, number = where, ""
        return self._place((loc.file, unit, bool(number))) << 32 | int(number or 0)

    def _place(self, key: tuple[str, str, bool]) -> int:
        place = self.places.setdefault(key, len(self.places))
        if place == len(self.place_list):
            self.place_list.append(key)
        return place

    def at(self, code: int) -> Loc:
        """The location ``code`` stands for."""
        file, unit, numbered = self.place_list[code >> 32]
        return Loc(file, f"{unit} {code & 0xFFFFFFFF}" if numbered else unit)

    def _bad_values(self, loc: Loc, data: dict[str, Any], problems: Problems | None = None) -> bool:
        """Report every value that cannot be taken as read (control characters, too long, a boolean ...)."""
        if plain_texts(data.values(), self.limits):  # the common case, cleared in one search
            return False
        bad = False
        for key, value in data.items():
            for reason in value_problems(str(key), value, self.limits):
                (self.problems if problems is None else problems).add(loc, str(key), reason)
                bad = True
        return bad

    def _years(self, props: dict[str, Any]) -> list[tuple[str, str]]:
        """The dates among ``props`` that name a year outside the limits' range, with the reason."""
        out: list[tuple[str, str]] = []
        for field in DATED_FIELDS:
            value = props.get(field)
            if isinstance(value, str):
                reason = outside_years(value, self.limits.min_year, self.limits.max_year)
                if reason:
                    hint = f"{self.limits.env_name('min_year')} and {self.limits.env_name('max_year')}"
                    out.append((field, f"{reason} (the dataset's setting: {hint})"))
        return out

    def _pydantic(self, loc: Loc, model: Any, data: dict[str, Any], problems: Problems) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"][:1]) or ""
                retired = err["type"] == "extra_forbidden" and field in RETIRED_DATES
                problems.add(loc, field, RETIRED_DATES[field] if retired else pydantic_reason(err))
            return None

    def missing(self, loc: Loc, field: str, ident: str, reason: str) -> None:
        """Report a link to a node that is not in the dataset, unless that is a follow-on of a problem
        already reported (an invalid node, or a file of nodes that could not be read)."""
        if ident in self.invalid_ids:
            return
        for failed in self.failed:
            if failed.ids is not None and ident in failed.ids:
                failed.skipped += 1
                return
        for failed in self.failed:
            if failed.ids is None:
                failed.skipped += 1
                return
        self.problems.add(loc, field, reason)

    def follow_ons(self) -> None:
        for failed in self.failed:
            if not failed.skipped:
                continue
            if failed.ids is None:
                reason = (
                    f"{failed.skipped} link(s) to nodes not in the dataset were not checked, because this file "
                    "could not be read whole and may hold them"
                )
            else:
                reason = (
                    f"{failed.skipped} link(s) to nodes of {failed.name} were not checked, because that file is invalid"
                )
            self.problems.add(Loc(failed.name), "", reason)
