"""import_annotations / export_annotations: every bad input, all-or-nothing, slots, round trip."""

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from labels.datasets.annotation_records import RecordErrors, parse_records, record_line
from labels.models import Annotation, AnnotationEvent, Article, Assignment, Membership
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

# --- the pure record parser ----------------------------------------------------------------

GOOD = '{"article_id": "a1", "index": 0, "annotator": "ann", "label": "body"}'


def errors_of(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(RecordErrors) as caught:
        parse_records(data, file="in.jsonl")
    return caught.value.lines()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
        ("[1, 2]", "expected a JSON object, got list"),
        (GOOD[:-1] + ', "score": 1}', "unknown field(s): score"),
        ('{"article_id": "a1", "index": 0}', "missing field(s): annotator, label"),
        (GOOD.replace('"a1"', '""'), "article_id: must be a non-empty string"),
        (GOOD.replace('"ann"', "7"), "annotator: must be a non-empty string"),
        (GOOD.replace('"body"', "null"), "label: must be a non-empty string"),
        (GOOD.replace(": 0", ": -1"), "index: must be a whole number from 0 to 2147483647"),
        (GOOD.replace(": 0", ": true"), "index: must be a whole number from 0"),
        (GOOD.replace(": 0", ': "0"'), "index: must be a whole number from 0"),
        (GOOD.replace(": 0", ": 2147483648"), "index: must be a whole number from 0"),
        (GOOD.replace('"ann"', '"a\\u0000n"'), "annotator: contains NUL (U+0000)"),
        (GOOD.replace('"ann"', '"a\\ud800n"'), "annotator: contains a lone surrogate (U+D800)"),
        (GOOD.replace('"a1"', '"a\\uffff"'), "article_id: contains the Unicode non-character"),
        (GOOD.replace('"body"', '"\\udfff"'), "label: contains a lone surrogate (U+DFFF)"),
        (GOOD[:-1] + ', "created_at": "0001-01-01T00:00:00+01:00"}', "created_at: is out of range"),
        (GOOD[:-1] + ', "created_at": "\\u0000"}', "created_at: contains NUL"),
        (GOOD.replace(": 0", ": 1" + "0" * 5000), "invalid JSON: Exceeds the limit"),
        (GOOD[:-1] + ', "created_at": "yesterday"}', "created_at: not an ISO 8601 timestamp"),
        (GOOD[:-1] + ', "created_at": "2024-05-01T12:00:00"}', "created_at: needs a UTC offset"),
        (GOOD[:-1] + ', "created_at": 1714564800}', "created_at: must be an ISO 8601 string"),
    ],
)
def test_each_bad_line_is_named_with_file_line_and_reason(line, reason):
    lines = errors_of(f"{GOOD}\n\n{line}\n")

    assert len(lines) == 1
    assert lines[0].startswith(f"in.jsonl:3: {reason}")


def test_every_bad_line_is_reported_not_just_the_first():
    lines = errors_of("{bad\n" + GOOD + "\n[]\n")

    assert [line.split(":")[1] for line in lines] == ["1", "3"]


def test_the_same_paragraph_and_annotator_twice_is_ambiguous():
    lines = errors_of(f"{GOOD}\n{GOOD.replace('body', 'quote')}\n")

    assert lines == [
        "in.jsonl:2: annotator 'ann' labels article 'a1' paragraph 0 again (first on line 1)"
    ]


def test_empty_undecodable_and_nul_files_are_errors():
    assert errors_of("\n\n") == ["in.jsonl: no annotations in the file"]
    assert errors_of(GOOD.encode() + b"\n\xff\n")[0] == "in.jsonl:2: not valid UTF-8 (byte 0xff)"
    assert errors_of(GOOD + "\n\x00\n")[0].startswith("in.jsonl:2: invalid JSON")


def test_a_flood_of_errors_is_cut_short_with_a_count():
    lines = errors_of("{\n" * 80)

    assert len(lines) == 51
    assert lines[-1] == "... and 30 more error(s)"


def test_records_format_back_to_the_same_line():
    text = (
        '{"article_id":"a1","index":3,"annotator":"ann","label":"quote",'
        '"created_at":"2024-05-01T12:00:00.123456+00:00"}\n'
    )

    (record,) = parse_records(text.encode(), file="x")

    assert record.created_at == datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert record_line(record) == text


def test_a_z_suffix_and_other_offsets_are_read_as_utc():
    (record,) = parse_records(
        (GOOD[:-1] + ', "created_at": "2024-05-01T14:00:00+02:00"}').encode(), file="x"
    )
    assert record.created_at == datetime(2024, 5, 1, 12, tzinfo=UTC)


# --- the commands against the database -------------------------------------------------------


@pytest.fixture
def article(project):
    article = ArticleFactory(project=project, external_id="a1", open_slots=project.overlap)
    for index in range(3):
        ParagraphFactory(article=article, index=index)
    return article


def write(tmp_path: Path, rows: list[dict], name: str = "labels.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def rows_for(annotator: str, labels: list[str], article_id: str = "a1") -> list[dict]:
    return [
        {"article_id": article_id, "index": index, "annotator": annotator, "label": label}
        for index, label in enumerate(labels)
    ]


def run_import(path: Path, project, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_annotations", str(path), "--project", project.slug, *extra, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def failed_import(path: Path, project, *extra: str) -> list[str]:
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_annotations",
            str(path),
            "--project",
            project.slug,
            *extra,
            stdout=StringIO(),
            stderr=err,
        )
    assert exit_info.value.code == 1
    return err.getvalue().splitlines()


def run_export(project, *extra: str) -> str:
    out = StringIO()
    call_command(
        "export_annotations", "--project", project.slug, *extra, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def snapshot() -> tuple[int, ...]:
    return (
        Annotation.objects.count(),
        Assignment.objects.count(),
        AnnotationEvent.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_import_creates_submitted_assignments_history_and_fills_slots(tmp_path, project, article):
    UserFactory(username="ann"), UserFactory(username="bob")
    path = write(
        tmp_path, rows_for("ann", ["body", "quote", "body"]) + rows_for("bob", ["body"] * 3)
    )

    out, _ = run_import(path, project)

    assert "6 annotation(s) imported, 0 already present, 2 submitted assignment(s) created" in out
    assignments = Assignment.objects.filter(article=article)
    assert {a.status for a in assignments} == {Assignment.Status.SUBMITTED}
    assert all(a.submitted_at is not None for a in assignments)
    assert Annotation.objects.filter(assignment__annotator__username="ann").count() == 3
    assert AnnotationEvent.objects.count() == 6
    article.refresh_from_db()
    assert article.open_slots == 0


@pytest.mark.django_db
def test_one_imported_annotator_leaves_one_slot_and_three_never_go_below_zero(
    tmp_path, project, article
):
    for name in ("ann", "bob", "cy"):
        UserFactory(username=name)
    other = ArticleFactory(project=project, external_id="a2", open_slots=2)
    ParagraphFactory(article=other, index=0)
    rows = rows_for("ann", ["body"], "a2") + [
        row for name in ("ann", "bob", "cy") for row in rows_for(name, ["body"] * 3)
    ]

    run_import(write(tmp_path, rows), project)

    article.refresh_from_db()
    other.refresh_from_db()
    assert (article.open_slots, other.open_slots) == (0, 1)


@pytest.mark.django_db
def test_every_unknown_reference_is_reported_and_nothing_is_written(tmp_path, project, article):
    UserFactory(username="ann")
    before = snapshot()
    rows = [
        {"article_id": "a1", "index": 0, "annotator": "ann", "label": "body"},
        {"article_id": "nope", "index": 0, "annotator": "ann", "label": "body"},
        {"article_id": "a1", "index": 7, "annotator": "ann", "label": "body"},
        {"article_id": "a1", "index": 1, "annotator": "ann", "label": "headline"},
        {"article_id": "a1", "index": 2, "annotator": "zed", "label": "body"},
    ]
    path = write(tmp_path, rows)

    errors = failed_import(path, project)

    assert errors == [
        f"{path}:2: article_id: unknown article 'nope' in project '{project.slug}'",
        f"{path}:3: index: article 'a1' has no paragraph 7 (it has 3, numbered 0 to 2)",
        f"{path}:4: label: unknown label 'headline' (project labels: body, boilerplate, caption, quote)",
        f"{path}:5: annotator: unknown user 'zed' (pass --create-users to create it)",
        f"{path}: nothing imported (4 error(s))",
    ]
    assert snapshot() == before
    article.refresh_from_db()
    assert article.open_slots == 2


@pytest.mark.django_db
def test_a_malformed_line_writes_nothing_either(tmp_path, project, article):
    UserFactory(username="ann")
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(rows_for("ann", ["body"])[0]) + "\n{oops\n", encoding="utf-8")
    before = snapshot()

    errors = failed_import(path, project)

    assert errors[0].startswith(f"{path}:2: invalid JSON")
    assert snapshot() == before


@pytest.mark.django_db
def test_create_users_makes_annotators_without_a_usable_password(tmp_path, project, article):
    path = write(tmp_path, rows_for("newcomer", ["body"] * 3))

    out, _ = run_import(path, project, "--create-users")

    user = get_user_model().objects.get(username="newcomer")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, project=project).role == Membership.Role.ANNOTATOR
    assert "1 user(s) created" in out


@pytest.mark.django_db
def test_create_users_still_refuses_names_that_cannot_be_usernames(tmp_path, project, article):
    path = write(tmp_path, rows_for("two words", ["body"]))

    errors = failed_import(path, project, "--create-users")

    assert errors[0] == (
        f"{path}:1: annotator: 'two words' cannot be a username (letters, digits and @.+-_ only, "
        "at most 150 characters)"
    )
    assert not get_user_model().objects.filter(username="two words").exists()


@pytest.mark.django_db
def test_labels_that_contradict_submitted_work_are_refused(tmp_path, project, article):
    ann = UserFactory(username="ann")
    done = AssignmentFactory(article=article, annotator=ann, submitted=True)
    AnnotationFactory(
        assignment=done, paragraph=article.paragraphs.get(index=0), label=label_of(project, "body")
    )
    before = snapshot()
    path = write(tmp_path, rows_for("ann", ["quote"]))

    errors = failed_import(path, project)

    assert (
        errors[0]
        == f"{path}:1: label: 'ann' already labelled article 'a1' paragraph 0 as 'body', not 'quote'"
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_labels_for_work_in_progress_are_refused(tmp_path, project, article):
    bob = UserFactory(username="bob")
    AssignmentFactory(article=article, annotator=bob)
    path = write(tmp_path, rows_for("bob", ["body"]))

    errors = failed_import(path, project)

    assert errors[0] == (
        f"{path}:1: annotator: 'bob' has an assignment on article 'a1' that is in progress; only submitted "
        "work can take imported labels"
    )


@pytest.mark.django_db
def test_missing_labels_are_added_to_submitted_work_and_equal_ones_are_left(
    tmp_path, project, article
):
    ann = UserFactory(username="ann")
    done = AssignmentFactory(article=article, annotator=ann, submitted=True)
    AnnotationFactory(
        assignment=done, paragraph=article.paragraphs.get(index=0), label=label_of(project, "body")
    )
    path = write(tmp_path, rows_for("ann", ["body", "quote", "caption"]))

    out, _ = run_import(path, project)

    assert "2 annotation(s) imported, 1 already present, 0 submitted assignment(s) created" in out
    assert list(
        Annotation.objects.filter(assignment=done)
        .order_by("paragraph__index")
        .values_list("label__value", flat=True)
    ) == ["body", "quote", "caption"]


@pytest.mark.django_db
def test_unknown_project_and_unreadable_file_are_errors(tmp_path, project):
    with pytest.raises(CommandError, match="no project 'missing'"):
        call_command("import_annotations", "x.jsonl", "--project", "missing")
    with pytest.raises(CommandError, match="no project 'missing'"):
        call_command("export_annotations", "--project", "missing")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_annotations",
            str(tmp_path / "absent.jsonl"),
            "--project",
            project.slug,
            stderr=err,
        )
    assert err.getvalue().startswith(f"{tmp_path / 'absent.jsonl'}: cannot read:")


@pytest.mark.django_db
def test_export_writes_submitted_work_only_in_article_paragraph_annotator_order(project, article):
    ann, bob, cy = (UserFactory(username=n) for n in ("ann", "bob", "cy"))
    for user, status in ((bob, "submitted"), (ann, "submitted"), (cy, "in_progress")):
        assignment = AssignmentFactory(article=article, annotator=user, status=status)
        for paragraph in article.paragraphs.all():
            AnnotationFactory(assignment=assignment, paragraph=paragraph)

    rows = [json.loads(line) for line in run_export(project).splitlines()]

    assert [(r["index"], r["annotator"]) for r in rows] == [
        (0, "ann"),
        (0, "bob"),
        (1, "ann"),
        (1, "bob"),
        (2, "ann"),
        (2, "bob"),
    ]
    assert set(rows[0]) == {"article_id", "index", "annotator", "label", "created_at"}


@pytest.mark.django_db
def test_export_then_import_round_trips_exactly(tmp_path, project, article):
    for name in ("ann", "bob"):
        user = UserFactory(username=name)
        assignment = AssignmentFactory(article=article, annotator=user, submitted=True)
        for paragraph, value in zip(
            article.paragraphs.order_by("index"), ["body", "quote", "caption"], strict=True
        ):
            AnnotationFactory(
                assignment=assignment, paragraph=paragraph, label=label_of(project, value)
            )
    exported = tmp_path / "out.jsonl"
    call_command(
        "export_annotations",
        "--project",
        project.slug,
        "--out",
        str(exported),
        stderr=StringIO(),
    )
    copy = ProjectFactory()
    twin = ArticleFactory(project=copy, external_id="a1", open_slots=copy.overlap)
    for paragraph in article.paragraphs.order_by("index"):
        ParagraphFactory(article=twin, index=paragraph.index, text=paragraph.text)

    run_import(exported, copy)

    assert run_export(copy) == exported.read_text(encoding="utf-8")
    again, _ = run_import(exported, project)
    assert "0 annotation(s) imported, 6 already present" in again
    assert run_export(project) == exported.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_imported_times_are_kept(tmp_path, project, article):
    UserFactory(username="ann")
    row = rows_for("ann", ["body"])[0] | {"created_at": "2023-02-03T04:05:06.789+00:00"}

    run_import(write(tmp_path, [row]), project)

    annotation = Annotation.objects.get()
    assert annotation.created_at == datetime(2023, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)
    assert annotation.assignment.submitted_at == annotation.created_at
    assert json.loads(run_export(project))["created_at"] == "2023-02-03T04:05:06.789000+00:00"


@pytest.mark.django_db
def test_an_imported_article_is_no_longer_offered_when_full(tmp_path, project, article):
    from labels.workflow import queue

    for name in ("ann", "bob"):
        UserFactory(username=name)
    run_import(
        write(tmp_path, rows_for("ann", ["body"] * 3) + rows_for("bob", ["body"] * 3)), project
    )

    newcomer = MembershipFactory(project=project).user
    assert queue.claim_next(user=newcomer, project=project) is None
    assert Article.objects.get(pk=article.pk).open_slots == 0
