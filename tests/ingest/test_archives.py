"""labels.archives: zip members read in memory, with the bomb and path guards. Pure, no database."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from labels.ingest import archives
from labels.ingest.parsing import ParseError


def make_zip(*members: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def read(data: bytes, wanted=lambda name: True) -> list[archives.Member]:
    return list(archives.iter_members(data, file="upload.zip", wanted=wanted))


def test_members_come_in_archive_order_with_nested_folders_and_no_folder_entries():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pages/", b"")
        archive.writestr("pages/2019/nov/a.html", b"<p>A</p>")
        archive.writestr("b.txt", b"B")
    members = read(buffer.getvalue())

    assert [(m.name, m.data, m.error) for m in members] == [
        ("pages/2019/nov/a.html", b"<p>A</p>", None),
        ("b.txt", b"B", None),
    ]


def test_members_the_caller_does_not_want_are_marked_unsupported_and_not_read():
    members = read(
        make_zip(("a.html", b"<p>A</p>"), ("logo.png", b"\x89PNG")),
        wanted=lambda name: name.endswith(".html"),
    )

    assert [(m.name, m.unsupported, m.data) for m in members] == [
        ("a.html", False, b"<p>A</p>"),
        ("logo.png", True, b""),
    ]


def test_macos_metadata_is_left_out():
    members = read(
        make_zip(("__MACOSX/._a.html", b"\x00\x05"), ("._b.html", b"x"), ("a.html", b"A"))
    )

    assert [m.name for m in members] == ["a.html"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.html", "path traversal"),
        ("pages/../../evil.html", "path traversal"),
        ("pages\\..\\evil.html", "path traversal"),
        ("/etc/evil.html", "absolute path"),
        ("\\evil.html", "absolute path"),
        ("C:/evil.html", "absolute path"),
        ("evil\x01.html", "control characters"),
    ],
)
def test_unsafe_member_names_are_refused_and_the_other_members_still_read(name, reason):
    members = read(make_zip((name, b"<p>evil</p>"), ("good.html", b"<p>good</p>")))

    assert members[0].name == name
    assert members[0].error == f"unsafe member name ({reason})"
    assert members[0].data == b""
    assert (members[1].name, members[1].data, members[1].error) == (
        "good.html",
        b"<p>good</p>",
        None,
    )


def test_not_a_zip_is_an_error_naming_the_file():
    with pytest.raises(ParseError, match=r"^upload\.zip: not a valid zip archive$"):
        read(b"this is not a zip")


def test_too_many_members_refuses_the_whole_archive(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    data = make_zip(*((f"{n}.txt", b"x") for n in range(4)))

    with pytest.raises(ParseError, match="zip archive has 4 entries; at most 3 are allowed"):
        read(data)


def test_an_archive_that_decompresses_far_beyond_its_size_is_refused_as_a_zip_bomb():
    bomb = b"\x00" * (8 * 1024 * 1024)  # deflates about 1000x

    with pytest.raises(ParseError, match=r"decompresses \d+x its size \(at most 100x\)"):
        read(make_zip(("bomb.html", bomb), ("fine.txt", b"fine")))


def test_a_high_ratio_member_is_refused_and_the_other_members_still_read():
    bomb = b"\x00" * (2 * 1024 * 1024)  # about 2 KB deflated
    noise = random.Random(5).randbytes(40 * 1024)  # incompressible: the archive stays under 100x
    members = read(make_zip(("bomb.html", bomb), ("noise.txt", noise)))

    assert "refused as a likely zip bomb" in members[0].error
    assert members[0].data == b""
    assert members[1].data == noise


def test_an_archive_declaring_more_than_the_total_limit_is_refused_before_decompressing(
    monkeypatch,
):
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1024)
    data = make_zip(("a.txt", b"a" * 800), ("b.txt", b"b" * 800), compression=zipfile.ZIP_STORED)

    with pytest.raises(ParseError, match=r"would decompress to 1600 bytes; at most 1024 bytes"):
        read(data)


def test_a_member_larger_than_the_per_file_limit_is_refused(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 100)
    members = read(make_zip(("big.txt", b"x" * 101), ("small.txt", b"ok")))

    assert members[0].error == "member would decompress to 101 bytes; at most 100 bytes per file"
    assert members[1].data == b"ok"


def test_sizes_declared_smaller_than_the_data_are_caught_while_reading():
    """A bomb that lies in its headers: zipfile stops at the declared size, the CRC fails."""
    data = bytearray(make_zip(("liar.txt", b"y" * 5000)))
    # Patch the declared uncompressed size (central directory and local header) to 10 bytes.
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    struct.pack_into("<I", data, 22, 10)

    [member] = read(bytes(data))

    assert member.error is not None
    assert member.error.startswith("corrupt member")
    assert member.data == b""


def test_encrypted_members_are_refused():
    data = bytearray(make_zip(("secret.txt", b"x")))
    # Set the "encrypted" general-purpose flag in the central directory entry.
    central = data.rindex(b"PK\x01\x02")
    flags = struct.unpack_from("<H", data, central + 8)[0]
    struct.pack_into("<H", data, central + 8, flags | 0x1)

    [member] = read(bytes(data))

    assert member.error == "encrypted members are not supported"
