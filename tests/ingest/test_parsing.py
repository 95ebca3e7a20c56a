"""The txt and JSONL parsers: pure, no database."""

import json
from pathlib import Path

import pytest

from labels.ingest import parsing

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_d93e8ff5672328ba.txt"


def test_seed_article_gives_22_paragraphs_with_the_headline_as_title():
    [article] = parsing.parse_txt(SEED.read_bytes(), file=SEED.name)

    assert article.external_id == "000_d93e8ff5672328ba"
    assert len(article.paragraphs) == 22
    assert article.title.startswith("Netanyahu: Israel in ‘close contact’")
    assert article.paragraphs[0].text == article.title
    assert article.paragraphs[-2].text == "Related Content"


def test_txt_blocks_split_on_one_or_more_blank_lines_and_keep_inner_line_breaks():
    data = b"Title\n\n\n  first line\nsecond line  \n \t\nlast\n"

    [article] = parsing.parse_txt(data, file="a.txt")

    assert [p.text for p in article.paragraphs] == ["Title", "first line\nsecond line", "last"]


def test_txt_windows_line_endings_and_bom_are_handled():
    data = "\ufeffTitle\r\n\r\nBody text\r\n".encode()

    [article] = parsing.parse_txt(data, file="w.txt")

    assert [p.text for p in article.paragraphs] == ["Title", "Body text"]


@pytest.mark.parametrize("data", [b"", b"  \n\n \n"])
def test_empty_txt_is_an_error_naming_the_file(data):
    with pytest.raises(parsing.ParseError, match=r"^empty\.txt:1: empty file"):
        parsing.parse_txt(data, file="empty.txt")


def test_bytes_that_are_not_utf8_name_the_line():
    data = b"Title\n\nfine\n\ncaf\xe9 au lait\n"

    with pytest.raises(parsing.ParseError, match=r"^latin\.txt:5: text: not valid UTF-8"):
        parsing.parse_txt(data, file="latin.txt")


def test_nul_byte_is_refused_with_its_line():
    with pytest.raises(parsing.ParseError, match=r"^nul\.txt:3: text: contains NUL \(U\+0000\)"):
        parsing.parse_txt(b"a\n\nb\x00c\n", file="nul.txt")


def jsonl(*objects: object) -> bytes:
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objects).encode()


def test_jsonl_accepts_text_or_paragraphs_and_keeps_optional_fields():
    data = jsonl(
        {"id": "a", "title": "T", "url": "https://x.org/a", "meta": {"k": 1}, "text": "T\n\nB"},
        "",
        {"id": "b", "paragraphs": ["  one ", "", "two"]},
    )

    a, b = parsing.parse_jsonl(data, file="in.jsonl")

    assert (a.external_id, a.title, a.url, a.meta) == ("a", "T", "https://x.org/a", {"k": 1})
    assert [p.text for p in a.paragraphs] == ["T", "B"]
    assert b.title == "one"
    assert [p.text for p in b.paragraphs] == ["one", "two"]
    assert (a.line, b.line) == (1, 3)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": "a", "text": "x"', "malformed JSON"),
        ('["id"]', "expected a JSON object, got list"),
        ('{"text": "x"}', "id: missing or empty"),
        ('{"id": "", "text": "x"}', "id: missing or empty"),
        ('{"id": "a"}', 'exactly one of "text" or "paragraphs"'),
        ('{"id": "a", "text": "x", "paragraphs": ["x"]}', 'exactly one of "text" or "paragraphs"'),
        ('{"id": "a", "paragraphs": "x"}', "paragraphs: must be a list of strings"),
        ('{"id": "a", "paragraphs": [1]}', "paragraphs[0]: must be a string, not a number"),
        ('{"id": "a", "text": "  "}', "article has no paragraphs"),
        ('{"id": "a", "text": "x", "meta": []}', "meta: must be a JSON object"),
        ('{"id": "a", "text": "x", "title": 3}', "title: must be a string"),
        ('{"id": "a", "text": "x", "colour": "red"}', "unknown field(s): colour"),
    ],
)
def test_bad_jsonl_line_is_an_error_naming_file_and_line(line, reason):
    data = jsonl({"id": "ok", "text": "fine"}, line)

    with pytest.raises(parsing.ParseError) as error:
        parsing.parse_jsonl(data, file="bad.jsonl")

    assert str(error.value).startswith("bad.jsonl:2: ")
    assert reason in str(error.value)


def test_deeply_nested_json_is_a_clean_error():
    data = b'{"id": "a", "text": "x", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    with pytest.raises(parsing.ParseError, match=r"^deep\.jsonl:1: "):
        parsing.parse_jsonl(data, file="deep.jsonl")


def test_empty_jsonl_is_an_error():
    with pytest.raises(parsing.ParseError, match=r"^e\.jsonl:1: empty file"):
        parsing.parse_jsonl(b"\n\n", file="e.jsonl")


def test_format_is_chosen_by_suffix_or_refused():
    assert parsing.format_for("x/a.TXT") == "txt"
    assert parsing.format_for("a.jsonl") == "jsonl"
    assert parsing.format_for("a.bin", "txt") == "txt"
    with pytest.raises(parsing.ParseError, match=r"^a\.csv: unknown format '\.csv'"):
        parsing.format_for("a.csv")


# Lines longer than LONG_LINE_BYTES are parsed incrementally, with the same outcome.


@pytest.fixture
def short_long_lines(monkeypatch):
    monkeypatch.setattr(parsing, "LONG_LINE_BYTES", 64)


def test_a_long_line_is_parsed_incrementally_into_the_same_article(short_long_lines):
    long = {
        "id": "long",
        "title": "T",
        "paragraphs": [f"Paragraph {i} “quoted”" for i in range(40)],
    }
    data = jsonl({"id": "a", "text": "short"}, long, {"id": "b", "text": "after"})

    articles = parsing.parse_jsonl(data, file="f.jsonl")

    assert [a.external_id for a in articles] == ["a", "long", "b"]
    assert [p.text for p in articles[1].paragraphs] == long["paragraphs"]
    assert [a.line for a in articles] == [1, 2, 3]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "x", "paragraphs": ["' + "a" * 100 + '", 5]}',
            "f.jsonl:3: paragraphs[1]: must be",
        ),
        (
            '{"id": "x", "paragraphs": ["' + "a" * 100 + '\\ud800"]}',
            "f.jsonl:3: contains a lone surrogate",
        ),
        ('{"id": "x", "paragraphs": ["' + "a" * 100 + '"', "f.jsonl:3: malformed JSON"),
        ('{"id": "x", "paragraphs": ["' + "a" * 100 + '"]} {"id": "y"}', "f.jsonl:3: malformed"),
    ],
)
def test_a_bad_long_line_is_named_like_a_short_one(short_long_lines, line, message):
    data = jsonl({"id": "a", "text": "one"}, {"id": "b", "text": "two"}) + b"\n" + line.encode()

    with pytest.raises(parsing.ParseError) as error:
        parsing.parse_jsonl(data, file="f.jsonl")

    assert str(error.value).startswith(message)


def test_invalid_utf8_in_a_long_line_is_refused(short_long_lines):
    data = b'{"id": "x", "text": "' + b"a" * 100 + b'\xff"}\n'

    with pytest.raises(parsing.ParseError, match=r"^f\.jsonl:1: malformed JSON: .*UTF8"):
        parsing.parse_jsonl(data, file="f.jsonl")
