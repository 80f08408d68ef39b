"""Read a dataset folder, validate everything, and return a GraphBatch (or raise DatasetInvalid).

The loading contract (design.md §5): read every file, validate all of it, report *all* problems with
file, row/line and field, and hand nothing to a sink unless the whole dataset is valid. The checks live in
``bpkg.loaders.validation``, one module per concern; this module finds the dataset and runs them in order.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from bpkg.loaders.batch import DatasetInfo, GraphBatch, Rel
from bpkg.loaders.collector import cycles_left_alone
from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import DatasetInvalid, Loc, Problem
from bpkg.loaders.stats import GraphStats, stats_from_counts
from bpkg.loaders.validation.links import LinkChecks
from bpkg.loaders.validation.manifest import ManifestReading
from bpkg.loaders.validation.review import ReviewWarnings
from bpkg.loaders.validation.state import NO_PROPS, Link

BUNDLED: Final = "budapest-process"


def bundled_path(name: str = BUNDLED) -> Path:
    """Folder of a dataset that ships inside the package (works from an installed wheel)."""
    path = Path(str(resources.files("bpkg.loaders") / "datasets" / name))
    if not (path / "manifest.yaml").is_file():
        raise FileNotFoundError(f"no bundled dataset named '{name}'")
    return path


def template_path(suffix: str) -> Path:
    """The empty implementation-plan template (``.csv`` or ``.xlsx``)."""
    return Path(str(resources.files("bpkg.loaders") / "templates" / f"implementation-plan{suffix}"))


def resolve(dataset: str | Path | None) -> Path:
    """A dataset folder from a path, a bundled dataset name, or ``None`` for the default."""
    if dataset is None:
        return bundled_path()
    path = Path(dataset)
    if path.is_dir():
        return path
    if isinstance(dataset, str) and re.fullmatch(r"[a-z0-9-]+", dataset):
        try:
            return bundled_path(dataset)
        except FileNotFoundError:
            pass
    raise FileNotFoundError(f"dataset '{dataset}' is neither a folder nor a bundled dataset")


class _Validator(ManifestReading, LinkChecks, ReviewWarnings):
    """Reads a dataset's files one row or item at a time and checks it, in the steps of design.md §5.

    Problems are reported in the order of the steps (reading every file, then nodes, relationships, plans,
    references, numbers), each step in the order of the files. Nodes are checked as they are read, into
    ``node_problems``, which follow the reading problems. Only what the checks across files need is kept:
    per node its label, id, location and number / ``updated`` date (``keep``: all its properties), per
    relationship a ``Link``.
    """

    def check(self) -> list[Link]:
        """The steps after reading; the valid relationships, in order (the problems are in ``problems``)."""
        from bpkg.loaders.plan import plan_rels  # plan rows need the reference graph first

        self.nodes()
        seen: dict[Link, Link] = {}
        links = self.settle(self.links, seen)
        self.links = []
        for name, table, unknown in self.plans:
            reference = [Rel(link.type, link.source, link.target, NO_PROPS) for link in links if link.type]
            rows = self._plan_rows(table, unknown)
            for raw in plan_rels(name, rows, self.by_id, reference, self.problems, self.missing):
                self._take_link(raw.loc, raw.data, raw.from_field, raw.to_field)
            del reference
            links += self.settle(self.links, seen)
            self.links = []
        self.references(links)
        self.numbers(links)
        self.follow_ons()
        return links


def _rel(link: Link) -> Rel:
    assert link.type is not None and link.props is not None  # a settled link
    return Rel(link.type, link.source, link.target, link.props)


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid dataset and the warnings about it (suspect links), each with file, row/line and field."""

    batch: GraphBatch
    warnings: list[Problem]


@dataclass(frozen=True, slots=True)
class Validated:
    """What ``bpkg validate`` reports of a valid dataset: its counts and warnings, without its content."""

    info: DatasetInfo
    stats: GraphStats
    warnings: list[Problem]


def load_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> GraphBatch:
    """Read and validate a dataset; return its GraphBatch or raise ``DatasetInvalid`` with all problems.

    ``limits`` bound what the files may hold; by default ``Limits`` with any ``BPKG_MAX_*`` overrides
    from the environment.
    """
    return check_dataset(dataset, limits=limits).batch


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a dataset is read and checked: that allocates millions of
    containers that stay (rows, links, nodes) and make no cycles, and each pass of the collector over them grows
    with the dataset (10-30 % of the time at 100k relationships). What a cycle holds waits until the end; memory is
    otherwise freed as before, by reference counts. The pause is the one the application's answers share
    (``collector.cycles_left_alone``): the collector comes back when the last of them ends."""
    with cycles_left_alone():
        yield
    if gc.isenabled():
        # One pass over what was made meanwhile, which moves it to the oldest generation: left young, it would be
        # gone over two or three times by the collections that follow (+2 s of row hashing at 1M).
        gc.collect(1)


def _checked(
    dataset: str | Path | None, limits: Limits | None, keep: bool
) -> tuple[_Validator, DatasetInfo, list[Link]]:
    if limits is None:
        limits, errors = Limits.from_env()
        if errors:
            raise DatasetInvalid([Problem(Loc("environment"), "", reason) for reason in errors])
    v = _Validator(resolve(dataset), limits, keep)
    info = v.read_manifest()
    links = v.check()
    v.problems.raise_if_any()
    assert info is not None  # a missing manifest is a problem, raised above
    return v, info, links


def check_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> Checked:
    """``load_dataset`` that also returns the warnings: links left suspect by a later change to a node they
    rest on (see ``bpkg.loaders.validation.review.suspect_links``)."""
    with _no_cycle_collection():
        v, info, links = _checked(dataset, limits, keep=True)
        rels = [_rel(link) for link in links]
        return Checked(GraphBatch(info=info, nodes=list(v.by_id.values()), rels=rels), v.warnings(links))


def validate_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> Validated:
    """``check_dataset`` without building the dataset's content: the same problems (raised as
    ``DatasetInvalid``) and warnings, and the counts, holding only what the checks across files need."""
    with _no_cycle_collection():
        v, info, links = _checked(dataset, limits, keep=False)
        return Validated(info, stats_from_counts(v.labels, v.types, v.node_levels, v.link_levels), v.warnings(links))
