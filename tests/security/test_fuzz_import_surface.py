"""Hypothesis over the whole import surface, on the command line and through the upload page.

Every field of every format gets text that includes lone surrogates, NUL, non-characters,
control and bidi characters, written as JSON escapes or as raw (possibly invalid) UTF-8.
Whatever comes, the promise is the same: no 500, no traceback; each file is either imported
exactly as given or refused with ``FILE:LINE`` (or ``FILE:``), and nothing of a refused file
is written, whatever the other files of the run did.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.ingest import parsing
from labels.models import Annotation, Article, Assignment
from tests.factories import ArticleFactory, MembershipFactory, ParagraphFactory, ProjectFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "\x00", "\ud800", "\udfff", "\udc80", "\ufffe", "\uffff", "\ufdd0", "\U0010ffff",
    "\U0001fffe", "\x01", "\x1b", "\x7f", "\u202e", "\u2028", "\x85", "\r", "\n", "\t",
    "\\", '"', " ", "é", "😀",
]  # fmt: skip
texts = st.text(st.one_of(st.characters(), st.sampled_from(NASTY)), max_size=12)
json_scalars = st.one_of(
    texts,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
article_objects = st.fixed_dictionaries(
    {"id": st.one_of(texts, st.integers(0, 10**6))},
    optional={
        "title": st.one_of(texts, json_scalars),
        "url": texts,
        "source": texts,
        "meta": json_values,
        "text": texts,
        "paragraphs": st.lists(st.one_of(texts, json_scalars), max_size=4),
    },
)


def encode_line(obj: object, raw: bool) -> bytes:
    """One JSON line: ASCII with escapes, or raw UTF-8 (lone surrogates as invalid bytes)."""
    text = json.dumps(obj, ensure_ascii=not raw)
    return text.encode("utf-8", "surrogatepass")


files_strategy = st.lists(
    st.one_of(
        st.tuples(
            st.just("jsonl"), st.lists(st.tuples(article_objects, st.booleans()), max_size=3)
        ),
        st.tuples(st.just("txt"), texts.map(lambda t: t.encode("utf-8", "surrogatepass"))),
        st.tuples(
            st.just("html"),
            texts.map(lambda t: f"<title>{t}</title><p>{t}</p>".encode("utf-8", "surrogatepass")),
        ),
        st.tuples(st.just("zip"), texts.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    ),
    min_size=1,
    max_size=4,
)


def build_files(spec: list) -> list[tuple[str, bytes]]:
    """Named files, each a distinct article id prefix (``f<k>-``) so its rows can be found."""
    files = []
    for k, (kind, content) in enumerate(spec):
        if kind == "jsonl":
            lines = []
            for n, (obj, raw) in enumerate(content):
                obj = dict(obj)
                if isinstance(obj.get("id"), str):
                    obj["id"] = f"f{k}-{n}-{obj['id']}"
                else:
                    obj["id"] = f"f{k}-{n}-{obj.get('id')}"
                lines.append(encode_line(obj, raw))
            files.append((f"f{k}.jsonl", b"\n".join(lines)))
        elif kind == "zip":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr(f"f{k}-page.txt", b"Title\n\n" + content)
                archive.writestr(f"f{k}-data.jsonl", b'{"id": "x", "text": "' + content + b'"}')
            files.append((f"f{k}.zip", buffer.getvalue()))
        else:
            files.append((f"f{k}-page.{kind}", content))
    return files


ERROR_LINE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+))?: ")


def check_outcomes(project, files: list[tuple[str, bytes]], errors: list[str]) -> None:
    """Refused files wrote nothing; imported files hold exactly what they said."""
    for k, (name, data) in enumerate(files):
        prefix = f"f{k}-"
        refused = [e for e in errors if e.startswith((name + ":", f"{name}: ")) or f"/{name}" in e]
        rows = Article.objects.filter(project=project, external_id__startswith=prefix)
        if name.endswith(".zip"):
            # Members stand alone: each either imported or refused with its own name.
            for member in (f"f{k}-page.txt", f"f{k}-data.jsonl"):
                member_refused = any(f"{name}:{member}" in e for e in errors)
                if member_refused:
                    assert not rows.filter(external_id=member.split(".")[0]).exists()
            continue
        if refused:
            assert not rows.exists(), (name, refused)
            for error in refused:
                assert ERROR_LINE.match(error), error
        elif name.endswith(".jsonl"):
            expected = {}
            for line in data.split(b"\n"):
                obj = json.loads(line)
                texts_ = (
                    parsing.split_paragraphs(obj["text"])
                    if "text" in obj
                    else [p.strip() for p in obj["paragraphs"] if p.strip()]
                )
                expected.setdefault(obj["id"].strip(), texts_)
            stored = {
                article.external_id: list(
                    article.paragraphs.order_by("index").values_list("text", flat=True)
                )
                for article in rows
            }
            for external_id, paragraphs in stored.items():
                assert expected[external_id] == paragraphs


@FUZZ
@given(files_strategy)
def test_any_files_on_the_command_line_import_exactly_or_are_refused_by_name(
    tmp_path_factory, spec
):
    project = ProjectFactory()
    folder = tmp_path_factory.mktemp("fuzz")
    files = build_files(spec)
    for name, data in files:
        (folder / name).write_bytes(data)
    out, err = io.StringIO(), io.StringIO()

    try:
        call_command(
            "import_articles",
            *(str(folder / name) for name, _ in files),
            "--project",
            project.slug,
            stdout=out,
            stderr=err,
        )
    except SystemExit as exc:
        assert exc.code == 1
    # Any other exception fails the test: that would be a traceback.

    errors = [line.replace(f"{folder}/", "") for line in err.getvalue().splitlines()]
    errors = [line for line in errors if not line.startswith("import:")]
    check_outcomes(project, files, errors)


@FUZZ
@given(files_strategy)
def test_any_files_through_the_upload_page_answer_200_and_import_exactly_or_not_at_all(spec):
    project = ProjectFactory()
    reviewer = MembershipFactory(project=project, reviewer=True)
    client = Client()  # raises any exception a view lets out: a 500 fails the test
    client.force_login(reviewer.user)
    files = build_files(spec)

    response = client.post(
        reverse("labels:upload", args=[project.slug]),
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    errors = [
        _unescape(m)
        for m in re.findall(r'<span class="error"><bdi>(.*?)</bdi></span>', page, flags=re.S)
    ]
    check_outcomes(project, files, errors)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text.strip())


annotation_objects = st.fixed_dictionaries(
    {},
    optional={
        "article_id": st.one_of(st.sampled_from(["a0", "a1"]), texts, json_scalars),
        "index": st.one_of(st.integers(-1, 3), st.integers(), json_scalars),
        "annotator": st.one_of(st.sampled_from(["ann", "bob"]), texts, json_scalars),
        "label": st.one_of(st.sampled_from(["body", "quote"]), texts, json_scalars),
        "created_at": st.one_of(
            st.just("2024-01-02T03:04:05+00:00"), st.just("0001-01-01T00:00:00+01:00"), texts
        ),
    },
)


@FUZZ
@given(st.lists(st.tuples(annotation_objects, st.booleans()), min_size=1, max_size=5))
def test_any_annotation_file_on_the_command_line_lands_whole_or_not_at_all(tmp_path_factory, lines):
    project = ProjectFactory()
    for n in range(2):
        article = ArticleFactory(project=project, external_id=f"a{n}")
        for index in range(3):
            ParagraphFactory(article=article, index=index)
    for name in ("ann", "bob"):
        get_user_model().objects.get_or_create(username=name)
    path: Path = tmp_path_factory.mktemp("ann") / "labels.jsonl"
    path.write_bytes(b"\n".join(encode_line(obj, raw) for obj, raw in lines))
    before = (Annotation.objects.count(), Assignment.objects.count())
    err = io.StringIO()

    try:
        call_command(
            "import_annotations", str(path), "--project", project.slug, stdout=io.StringIO(),
            stderr=err,
        )  # fmt: skip
    except SystemExit as exc:
        assert exc.code == 1
        reported = err.getvalue().splitlines()
        assert reported and all(line.startswith(f"{path}") for line in reported)
        assert (Annotation.objects.count(), Assignment.objects.count()) == before
    else:
        assert Annotation.objects.filter(assignment__article__project=project).exists()
