"""CSV and Parquet gold exports: the JSONL rows, read back by csv, pyarrow and pandas."""

from __future__ import annotations

import csv
import io
import json
import re
from io import StringIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from labels.datasets import export, tabular
from tests.factories import ParagraphFactory, ProjectFactory, UserFactory
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db

DANGEROUS = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    'A "quote", a comma\nand a line',
]


@pytest.fixture
def project():
    project = ProjectFactory(slug="news")
    article = make_article(project, 0, external_id="=cmd|' /C calc'!A0")
    for index, text in enumerate(DANGEROUS):
        ParagraphFactory(article=article, index=index, text=text)
    other = make_article(project, 2, external_id="plain")
    for user in (UserFactory(username="ann"), UserFactory(username="bob")):
        label(article, user, ["body"] * len(DANGEROUS))
        label(other, user, ["quote", "caption"])
    return project


def jsonl_rows(project, unit="paragraph"):
    options = export.ExportOptions(fmt="jsonl", unit=unit)
    data = b"".join(
        export.export_bytes(project=project, options=options, stats=export.ExportStats())
    )
    return [json.loads(line) for line in data.decode().splitlines()]


def exported(project, fmt, unit="paragraph") -> bytes:
    options = export.ExportOptions(fmt=fmt, unit=unit)
    return b"".join(
        export.export_bytes(project=project, options=options, stats=export.ExportStats())
    )


def test_csv_round_trips_every_cell_and_neutralises_formulas(project):
    data = exported(project, "csv")
    text = data.decode("utf-8")

    assert text.startswith(
        "id,article_id,index,split,text,label,gold_source,agreement,annotations\r\n"
    )
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    expected = jsonl_rows(project)
    assert len(rows) == len(expected) == len(DANGEROUS) + 2
    for row, want in zip(rows, expected, strict=True):
        for cell in ("id", "article_id", "text"):
            assert tabular.unneutralise(row[cell]) == want[cell]
            assert not row[cell].startswith(tabular.FORMULA_STARTS)  # nothing a sheet would run
        assert int(row["index"]) == want["index"]
        assert row["label"] == want["label"]
        assert json.loads(row["annotations"]) == want["annotations"]
    texts = [row["text"] for row in rows[: len(DANGEROUS)]]
    assert texts[:6] == ["'" + t for t in DANGEROUS[:6]]
    assert texts[6] == DANGEROUS[6]  # quotes, commas and line breaks survive RFC 4180 quoting
    assert '"A ""quote"", a comma\nand a line"' in text


def test_parquet_reads_back_with_pyarrow_with_the_jsonl_rows(project):
    table = pq.read_table(io.BytesIO(exported(project, "parquet")))

    assert table.column_names == list(tabular.PARAGRAPH_COLUMNS)
    assert table.to_pylist() == jsonl_rows(project)


def test_parquet_article_shape_keeps_paragraphs_nested(project):
    table = pq.read_table(io.BytesIO(exported(project, "parquet", unit="article")))
    expected = jsonl_rows(project, unit="article")

    rows = table.to_pylist()
    assert [row["article_id"] for row in rows] == [row["article_id"] for row in expected]
    for row, want in zip(rows, expected, strict=True):
        assert json.loads(row["meta"]) == want["meta"]
        assert row["paragraphs"] == want["paragraphs"]


def test_csv_has_no_article_unit():
    with pytest.raises(
        export.InvalidOptions, match="applies to the jsonl and parquet formats only"
    ):
        export.ExportOptions(fmt="csv", unit="article")


def test_jsonl_is_unchanged_by_the_new_formats(project):
    out = StringIO()
    call_command("export_gold", "--project", "news", stdout=out, stderr=StringIO())
    assert out.getvalue().encode("utf-8") == exported(project, "jsonl")


def test_export_gold_writes_parquet_and_csv_files(project, tmp_path):
    call_command(
        "export_gold",
        "--project",
        "news",
        "--format",
        "parquet",
        "--out",
        str(tmp_path / "g.parquet"),
        stderr=StringIO(),
    )
    call_command(
        "export_gold",
        "--project",
        "news",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "g.csv"),
        stderr=StringIO(),
    )

    assert pq.read_table(tmp_path / "g.parquet").num_rows == len(DANGEROUS) + 2
    assert (tmp_path / "g.csv").read_bytes() == exported(project, "csv")


def documented_recipe() -> str:
    """The pandas part of docs/formats.md's recipe (Hugging Face datasets is not installed)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text("utf-8")
    section = doc.split("### Reading exports with pandas and Hugging Face datasets", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    return code.split("from datasets import", 1)[0]


def test_the_documented_pandas_recipe_runs(project, tmp_path, monkeypatch):
    (tmp_path / "gold-paragraphs.parquet").write_bytes(exported(project, "parquet"))
    (tmp_path / "gold-paragraphs.csv").write_bytes(exported(project, "csv"))
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}

    exec(compile(documented_recipe(), "docs/formats.md", "exec"), names)  # noqa: S102

    frame, sheet = names["frame"], names["sheet"]
    assert len(frame) == len(DANGEROUS) + 2
    assert set(names["train"]["split"]) <= {"train"}
    assert names["per_label"]["body"] == len(DANGEROUS)
    assert list(sheet["text"]) == list(frame["text"])  # the CSV's text, restored, is the same
    assert list(sheet["id"]) == list(frame["id"])
    assert frame["annotations"].iloc[0][0]["annotator"] in {"ann", "bob"}
