"""Hypothesis fuzzing of the import parsers and the import write path.

Whatever the bytes, the outcome is a clean ParseError naming the file, or a correct import;
never an unhandled exception and never a partial write.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.datasets import annotation_exchange, annotation_records
from labels.ingest import importing, parsing, webpages
from labels.models import Annotation, Article, Assignment, Paragraph

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
article_like = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=12), st.integers(), st.none())},
    optional={
        "title": st.one_of(st.text(), st.integers()),
        "text": st.one_of(st.text(), st.none()),
        "paragraphs": st.one_of(st.lists(st.text(), max_size=5), st.text()),
        "meta": json_values,
        "url": st.text(),
    },
)


def jsonl_bytes(objects: list, *, truncate: int | None) -> bytes:
    data = "\n".join(json.dumps(o) for o in objects).encode()
    return data[:truncate] if truncate is not None else data


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_text_parsers(data):
    for parse in (parsing.parse_txt, parsing.parse_jsonl, webpages.parse_html):
        try:
            articles = parse(data, file="fuzz.bin")
        except parsing.ParseError as exc:
            assert str(exc).startswith("fuzz.bin")
        else:
            assert all(p.text and "\x00" not in p.text for a in articles for p in a.paragraphs)


@FUZZ
@given(st.lists(article_like, min_size=1, max_size=4), st.one_of(st.none(), st.integers(0, 400)))
def test_random_and_truncated_jsonl_is_an_error_or_a_valid_article_list(objects, truncate):
    data = jsonl_bytes(objects, truncate=truncate)
    try:
        articles = parsing.parse_jsonl(data, file="fuzz.jsonl")
    except parsing.ParseError as exc:
        assert str(exc).startswith("fuzz.jsonl:")
    else:
        assert all(a.external_id and a.paragraphs for a in articles)


@FUZZ
@given(st.text(max_size=3000))
def test_random_unicode_html_is_an_error_or_inert_paragraphs(text):
    try:
        [article] = webpages.parse_html(text.encode("utf-8"), file="fuzz.html")
    except parsing.ParseError as exc:
        assert str(exc).startswith("fuzz.html")
    else:
        assert all(p.text.strip() == p.text and p.text for p in article.paragraphs)


@pytest.mark.django_db
@FUZZ
@given(st.lists(article_like, min_size=1, max_size=4), st.one_of(st.none(), st.integers(0, 300)))
def test_import_writes_everything_or_nothing(project, objects, truncate):
    before = (Article.objects.count(), Paragraph.objects.count())
    data = jsonl_bytes(objects, truncate=truncate)

    outcome = importing.import_bytes(project=project, data=data, name="fuzz.jsonl")

    after = (Article.objects.count(), Paragraph.objects.count())
    if outcome.error:
        assert outcome.error.startswith("fuzz.jsonl")
        assert after == before
    else:
        assert after == (before[0] + outcome.articles, before[1] + outcome.paragraphs)


annotation_like = st.fixed_dictionaries(
    {},
    optional={
        "article_id": st.one_of(st.sampled_from(["a-0", "a-1", "zzz"]), st.integers(), st.none()),
        "index": st.one_of(st.integers(-2, 4), st.text(max_size=3), st.floats(allow_nan=True)),
        "annotator": st.one_of(st.sampled_from(["ann", "bob", "ghost"]), st.text(max_size=6)),
        "label": st.one_of(st.sampled_from(["body", "quote", "Body", ""]), st.integers()),
        "created_at": st.one_of(st.text(max_size=25), st.just("2024-01-02T03:04:05+00:00")),
        "extra": json_values,
    },
)


@FUZZ
@given(st.binary(max_size=1500))
def test_random_bytes_never_crash_the_annotation_parser(data):
    try:
        records = annotation_records.parse_records(data, file="fuzz.jsonl")
    except annotation_records.RecordErrors as exc:
        assert exc.lines() and all(line.startswith("fuzz.jsonl") for line in exc.lines()[:1])
    else:
        assert all(record.article_id and record.annotator for record in records)


@pytest.mark.django_db
@FUZZ
@given(st.lists(annotation_like, min_size=1, max_size=5), st.one_of(st.none(), st.integers(0, 200)))
def test_annotation_import_writes_everything_or_nothing(project, objects, truncate):
    for article_index in range(2):
        article = Article.objects.get_or_create(
            project=project,
            external_id=f"a-{article_index}",
            defaults={"content_hash": f"{article_index:064x}", "open_slots": project.overlap},
        )[0]
        for index in range(3):
            Paragraph.objects.get_or_create(article=article, index=index, defaults={"text": "t"})
    for name in ("ann", "bob"):
        get_user_model().objects.get_or_create(username=name)
    before = (Annotation.objects.count(), Assignment.objects.count())
    data = jsonl_bytes(objects, truncate=truncate)

    try:
        summary = annotation_exchange.import_annotations(
            project=project, data=data, name="fuzz.jsonl"
        )
    except annotation_records.RecordErrors as exc:
        assert all(line.startswith("fuzz.jsonl") for line in exc.lines()[:1])
        assert (Annotation.objects.count(), Assignment.objects.count()) == before
    else:
        assert summary is not None
        assert Annotation.objects.count() >= before[0]
        for article in Article.objects.filter(project=project):
            live = article.assignments.filter(status__in=Assignment.LIVE).count()
            assert article.open_slots == max(0, project.overlap - live)
