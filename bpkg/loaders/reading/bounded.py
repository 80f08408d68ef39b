"""Reading a file within ``Limits``: its size, its bytes, its text as UTF-8, and a stamp that tells whether it
changed between two reads. Every problem is reported with the file's name; nothing here raises on bad input.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final, TextIO

from bpkg.loaders.limits import DEFAULT_LIMITS, Limits
from bpkg.loaders.problems import Loc, Problems


class Stop(Exception):
    """Reading a file stops here; the reason is already a problem."""


def size_ok(path: Path, problems: Problems, name: str, limits: Limits) -> bool:
    """Whether the file is within ``max_file_bytes`` and not empty (a problem when not)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.add(Loc(name), "", f"the file cannot be read ({exc.strerror or exc.__class__.__name__})")
        return False
    if size > limits.max_file_bytes:
        problems.add(Loc(name), "", f"the file is {size} bytes; {limits.hint('max_file_bytes')}")
        return False
    if size == 0:
        problems.add(Loc(name), "", "the file is empty")
        return False
    return True


def read_bytes(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """The file's bytes, or ``None`` (with a problem) when it is empty, too big or cannot be read."""
    if not size_ok(path, problems, name, limits):
        return None
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)  # the size may have changed since stat()
    except OSError as exc:
        problems.add(Loc(name), "", f"the file cannot be read ({exc.strerror or exc.__class__.__name__})")
        return None
    if len(data) > limits.max_file_bytes:
        problems.add(Loc(name), "", f"the file is over {limits.max_file_bytes} bytes; {limits.hint('max_file_bytes')}")
        return None
    if not data.strip():
        problems.add(Loc(name), "", "the file is empty")
        return None
    return data


def read_text(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """The file's text, or ``None`` (with a problem) when it is empty, too big or not UTF-8."""
    data = read_bytes(path, problems, name, limits)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            Loc(name, f"line {line}"),
            "",
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
        )
        return None


_CHUNK: Final = 1 << 20
CHANGED: Final = "the file changed while it was being read; check the dataset again"


def file_stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: a file is read more than once, and must be the same file each time."""
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def check_text(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether the file is within ``max_file_bytes``, not empty and UTF-8 (a problem when not).

    The file is read in chunks and its text dropped as it goes: readers then stream it (a 10 MB file held as
    text costs 10 to 40 MB). The problems are those of ``read_text``.
    """
    if not size_ok(path, problems, name, limits):
        return False
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    size = 0
    content = False
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_file_bytes:
                    reason = f"the file is over {limits.max_file_bytes} bytes; {limits.hint('max_file_bytes')}"
                    problems.add(Loc(name), "", reason)
                    return False
                content = content or bool(chunk.strip())
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except OSError as exc:
        problems.add(Loc(name), "", f"the file cannot be read ({exc.strerror or exc.__class__.__name__})")
        return False
    except UnicodeDecodeError:
        return read_text(path, problems, name, limits) is not None  # says where, from the whole file (within the limit)
    if not content:
        problems.add(Loc(name), "", "the file is empty")
        return False
    return True


def open_text(path: Path) -> TextIO:
    """The file's text as a stream (checked by ``check_text`` first); line ends are kept as they are."""
    return path.open(encoding="utf-8-sig", newline="")
