"""Problems found while reading or validating a dataset, and the error that carries them all."""

from __future__ import annotations

from dataclasses import dataclass

from graph_schema.errors import BpkgError


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
    """The dataset has problems; nothing was written. ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = f"{len(problems)} problem(s) found; nothing was written"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in problems))


class Problems:
    """Collects problems so that one run reports all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, loc: Loc, field: str, reason: str) -> None:
        self.items.append(Problem(loc, field, reason))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DatasetInvalid(self.items)
