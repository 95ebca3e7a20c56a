"""The bulk paragraph insert: COPY on PostgreSQL and the portable bulk_create give equal rows."""

import json

import pytest
from django.db import IntegrityError, connection, transaction

from labels.ingest import importing
from labels.models import Paragraph
from tests.factories import ArticleFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TEXTS = [
    "Plain text",
    'Tabs\tand "quotes", backslashes \\N and \\\\, newlines\nand\r\nreturns',
    "Unicode ünïcode 漢字 🧪 \u2028 end",
]
METAS = [{}, {"tag": "p", "nested": {"list": [1, "two", None]}}, {"quote": 'a "b" \\ c'}]


def rows(article) -> list[dict]:
    return [
        {
            "article_id": article.pk,
            "index": index,
            "text": text,
            "meta": meta,
            "text_hash": importing.text_hash(text),
            **({"suggestion_confidence": 0.25, "suggested_label": "quote"} if index == 1 else {}),
        }
        for index, (text, meta) in enumerate(zip(TEXTS, METAS, strict=True))
    ]


def stored(article) -> list[tuple]:
    fields = [
        f.attname for f in Paragraph._meta.concrete_fields if f.attname not in ("id", "article_id")
    ]
    return list(Paragraph.objects.filter(article=article).order_by("index").values_list(*fields))


def test_the_postgresql_path_is_copy():
    assert connection.vendor == "postgresql"  # the tests run where COPY is the hot path


def test_copy_and_bulk_create_store_identical_rows():
    project = ProjectFactory()
    by_copy, by_insert = ArticleFactory(project=project), ArticleFactory(project=project)

    assert importing.copy_paragraphs(rows=rows(by_copy)) == 3
    assert importing.bulk_create_paragraphs(rows=rows(by_insert)) == 3

    assert stored(by_copy) == stored(by_insert)
    assert [row[1] for row in stored(by_copy)] == TEXTS
    assert Paragraph.objects.get(article=by_copy, index=1).meta == METAS[1]


def test_a_failing_copy_leaves_nothing_behind():
    article = ArticleFactory()
    broken = rows(article)
    broken[2]["index"] = -1  # the last row breaks the positive-index check constraint

    with pytest.raises(IntegrityError, match="index"), transaction.atomic():
        importing.insert_paragraphs(rows=broken)

    assert not Paragraph.objects.filter(article=article).exists()


def test_a_large_jsonl_file_lands_whole_in_order_and_dedups(tmp_path):
    project = ProjectFactory()
    lines = [
        json.dumps({"id": f"a{n}", "paragraphs": [f"article {n} paragraph {i}" for i in range(25)]})
        for n in range(200)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join([*lines, lines[7]]), encoding="utf-8")

    [outcome] = importing.import_file(project=project, path=path)
    [again] = importing.import_file(project=project, path=path)

    assert (outcome.articles, outcome.duplicates, outcome.paragraphs, outcome.error) == (
        200,
        1,
        5000,
        None,
    )
    assert (again.articles, again.duplicates) == (0, 201)
    texts = Paragraph.objects.filter(article__project=project, article__external_id="a199")
    assert list(texts.order_by("index").values_list("text", flat=True)) == [
        f"article 199 paragraph {i}" for i in range(25)
    ]
    assert Paragraph.objects.filter(article__project=project).count() == 5000
