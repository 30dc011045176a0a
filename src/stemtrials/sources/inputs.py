"""Turn the paths a user names into readable inputs: files, directories (recursive), .gz, .zip.

Each :class:`InputFile` can be opened more than once (detection reads its head, the reader streams it from the
start), and opening never decompresses more than is read.
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class InputFile:
    name: str
    """Shown to the user: the path, with the member for archives ('export.zip!studies/NCT1.json')."""
    inner_name: str
    """The name with compression suffixes removed, for format sniffing."""
    open: Callable[[], BinaryIO]
    size: int | None = None


class InputError(Exception):
    """A path that cannot be read at all (missing, unreadable, a corrupt archive)."""


def _gzip_opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: gzip.open(path, "rb")  # type: ignore[return-value]


def _plain_opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: open(path, "rb")


def _zip_member_opener(path: Path, member: str) -> Callable[[], BinaryIO]:
    def opener() -> BinaryIO:
        archive = zipfile.ZipFile(path)
        inner = archive.open(member)
        if member.lower().endswith(".gz"):
            return gzip.GzipFile(fileobj=inner)  # type: ignore[return-value]
        return inner  # type: ignore[return-value]

    return opener


def _file_inputs(path: Path) -> Iterator[InputFile]:
    name = str(path)
    low = name.lower()
    size = path.stat().st_size
    if low.endswith(".zip") or (not low.endswith(".gz") and zipfile.is_zipfile(path) and not low.endswith(".xlsx")):
        try:
            with zipfile.ZipFile(path) as archive:
                members = sorted(i.filename for i in archive.infolist() if not i.is_dir())
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{name}: not a readable zip archive ({exc})") from exc
        for member in members:
            if member.startswith("__MACOSX/") or _skipped_in_directory(Path(member)):
                continue
            inner = member[:-3] if member.lower().endswith(".gz") else member
            yield InputFile(f"{name}!{member}", inner, _zip_member_opener(path, member))
    elif low.endswith(".gz"):
        yield InputFile(name, name[:-3], _gzip_opener(path), size)
    else:
        yield InputFile(name, name, _plain_opener(path), size)


_DOC_NAMES = ("readme", "notice", "license", "licence", "copying", "changelog")


def _skipped_in_directory(rel: Path) -> bool:
    """Files a directory walk passes over: hidden ones (.git, .DS_Store) and the documentation that travels with
    data (README, NOTICE, LICENSE, *.md). Named explicitly on the command line, they are still read."""
    if any(part.startswith(".") for part in rel.parts):
        return True
    name = rel.name.lower()
    return name.endswith(".md") or name.startswith(_DOC_NAMES)


def iter_inputs(paths: list[str]) -> Iterator[InputFile | InputError]:
    """Every input under the given paths, in a stable order; unreadable paths come back as InputError values."""
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read()
            yield InputFile("<stdin>", "<stdin>", lambda data=data: io.BytesIO(data), len(data))
            continue
        path = Path(raw)
        if not path.exists():
            yield InputError(f"{raw}: no such file or directory")
            continue
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _skipped_in_directory(child.relative_to(path)):
                    continue
                try:
                    yield from _file_inputs(child)
                except InputError as exc:
                    yield exc
            continue
        try:
            yield from _file_inputs(path)
        except (InputError, OSError) as exc:
            yield exc if isinstance(exc, InputError) else InputError(f"{raw}: {exc}")


def read_head(item: InputFile) -> bytes:
    with item.open() as stream:
        return stream.read(HEAD_BYTES)
