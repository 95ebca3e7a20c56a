"""Read the members of a zip archive in memory, refusing what could harm us. Pure: no Django.

Nothing is ever extracted to disk, so a member's name is only a label; still, a name that
climbs out of the archive (``../x``) or is absolute (``/etc/x``, ``C:\\x``) says the archive
was made to attack an extractor, and that member is refused. Zip bombs are refused by the
limits below, checked on the sizes the archive declares before anything is decompressed and
again while reading (a member never yields more bytes than it declared: ``zipfile`` stops at
the declared size and the CRC check fails on anything else).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from labels.ingest.parsing import ParseError, text_problem

MAX_MEMBERS = 2000  # entries in the archive, folders included
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # declared uncompressed size of all members together
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # declared uncompressed size of one member
# Uncompressed / compressed size. Real HTML and text compress 5-20x; a bomb compresses 1000x.
# Checked per member above RATIO_FLOOR_BYTES (a 4 KB run of spaces may compress 100x
# harmlessly) and for the archive as a whole against its own size.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024

_READ_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Member:
    """One file of the archive: its bytes, or why it was not read."""

    name: str
    data: bytes = b""
    error: str | None = None  # refused: unsafe name, encrypted, too big, corrupt
    unsupported: bool = False  # not read: the caller does not import this kind of file
    compressed_size: int = 0  # bytes the member takes in the archive (for progress)


def iter_members(
    data: bytes | BinaryIO, *, file: str, wanted: Callable[[str], bool]
) -> Iterator[Member]:
    """The archive's files in archive order (folders and macOS metadata left out).

    ``data`` is the archive's bytes or a seekable binary file (read in place, never copied
    into memory whole). Raises ParseError naming ``file`` when the archive as a whole is
    refused (not a zip, too many members, too large uncompressed); a refused member is a
    Member with ``error``. Members whose name ``wanted`` rejects are yielded ``unsupported``
    without being read; a member is read whole, so memory holds at most MAX_MEMBER_BYTES.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ParseError(file, None, "not a valid zip archive") from None
    infos = archive.infolist()
    check_archive_limits(infos, archive_size=size, file=file)  # before any decompression
    return _members(archive, infos, wanted)


def _members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], wanted: Callable[[str], bool]
) -> Iterator[Member]:
    for info in infos:
        # zipfile cuts a name at its first NUL; judge the name as the archive wrote it.
        written = info.orig_filename
        if not info.filename:
            yield Member(name=written, error="member has an empty name")
            continue
        if info.is_dir() or _is_macos_metadata(info.filename):
            continue
        problem = unsafe_name(written)
        if problem is None and info.flag_bits & 0x1:
            problem = "encrypted members are not supported"
        if problem is None:
            problem = _size_problem(info)
        if problem is not None:
            yield Member(name=info.filename, error=problem)
        elif not wanted(info.filename):
            yield Member(name=info.filename, unsupported=True)
        else:
            yield _read_member(archive, info)


def check_archive_limits(infos: list[zipfile.ZipInfo], *, archive_size: int, file: str) -> None:
    """Refuse an archive with too many members or too many bytes once decompressed."""
    if len(infos) > MAX_MEMBERS:
        raise ParseError(
            file, None, f"zip archive has {len(infos)} entries; at most {MAX_MEMBERS} are allowed"
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise ParseError(
            file,
            None,
            f"zip archive would decompress to {_megabytes(total)}; "
            f"at most {_megabytes(MAX_TOTAL_BYTES)} are allowed",
        )
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(archive_size, 1):
        raise ParseError(
            file,
            None,
            f"zip archive decompresses {total // max(archive_size, 1)}x its size "
            f"(at most {MAX_RATIO}x): refused as a likely zip bomb",
        )


def unsafe_name(name: str) -> str | None:
    """Why a member name is refused (absolute, climbing out, control characters), or None."""
    if "\x00" in name or any(ord(char) < 32 for char in name):
        return "unsafe member name (control characters)"
    if text_problem(name):
        return "unsafe member name (not valid Unicode text)"
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "unsafe member name (absolute path)"
    if ".." in parts:
        return "unsafe member name (path traversal)"
    return None


def _size_problem(info: zipfile.ZipInfo) -> str | None:
    if info.file_size > MAX_MEMBER_BYTES:
        return (
            f"member would decompress to {_megabytes(info.file_size)}; "
            f"at most {_megabytes(MAX_MEMBER_BYTES)} per file"
        )
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
        info.compress_size, 1
    ):
        return (
            f"member decompresses {info.file_size // max(info.compress_size, 1)}x "
            f"(at most {MAX_RATIO}x): refused as a likely zip bomb"
        )
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Member:
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                size += len(chunk)
                if size > info.file_size:  # never trust the stream beyond what was declared
                    return Member(name=info.filename, error="member is larger than declared")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        return Member(name=info.filename, error=f"corrupt member: {exc}")
    except NotImplementedError as exc:  # e.g. an unsupported compression method
        return Member(name=info.filename, error=f"cannot read member: {exc}")
    return Member(name=info.filename, data=b"".join(chunks), compressed_size=info.compress_size)


def _is_macos_metadata(name: str) -> bool:
    """Finder's ``__MACOSX/`` folder and ``._name`` files: resource forks, never content."""
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"
