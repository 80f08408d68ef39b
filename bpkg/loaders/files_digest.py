"""What a dataset's files hold, and the rules they were checked by, as one digest.

A Neo4j load records it with the version it publishes (``neo4j_sink.FINISH_LOAD``); a load of the same files,
checked by the same rules, whose graph is still the one that version left (``neo4j_sink.reload_unchanged``
counts it), has nothing to read, check or write. The digest covers every regular file under the dataset folder
(the files a manifest may name are inside it; a file that the manifest does not name only costs a full load when
it changes), by relative path and content; the rules are the loaders' and the schema's own files and the limits in
force (``BPKG_MAX_*``): a new ``bpkg`` or other limits check the files again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from bpkg.loaders.dataset import resolve
from bpkg.loaders.limits import Limits

CHUNK: Final = 1 << 20
_RULES: Final = ("bpkg.loaders", "bpkg.graph_schema")


def dataset_digest(dataset: str | Path | None, limits: Limits | None = None) -> str | None:
    """The digest of a dataset's files and the rules that check them; None when the folder cannot be found or
    read, or the limits are not valid (a load then reads the files and says why)."""
    if limits is None:
        limits, errors = Limits.from_env()
        if errors:
            return None
    digest = hashlib.sha256()
    digest.update(f"rules {rules_digest()}\nlimits {sorted(dataclasses.asdict(limits).items())}\n".encode())
    try:
        root = resolve(dataset)
        for path in sorted(_files(root), key=lambda p: p.relative_to(root).as_posix()):
            name = path.relative_to(root).as_posix().encode()
            digest.update(b"F%d:" % len(name) + name + b"%d:" % path.stat().st_size)
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
    except (OSError, ValueError, RuntimeError):
        return None
    return digest.hexdigest()


@functools.cache
def rules_digest() -> str:
    """The loaders' and the schema's files (the checks, the schema, the bundled reference data), as installed."""
    digest = hashlib.sha256()
    for package in _RULES:
        root = resources.files(package)
        for name, item in sorted(_resources(root, "")):
            digest.update(f"{package}/{name}\n".encode())
            digest.update(item.read_bytes())
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root``, but hidden ones and those under hidden folders (``.git``); folders
    reached through a link are not entered (the manifest may not name a file outside the folder)."""
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file():
            yield path


def _resources(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for item in folder.iterdir():
        if item.name == "__pycache__" or item.name.startswith("."):
            continue
        name = f"{prefix}{item.name}"
        if item.is_dir():
            yield from _resources(item, f"{name}/")
        elif item.is_file():
            yield name, item
