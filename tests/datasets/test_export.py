"""export_gold: shapes, policy options, splits, pseudonyms, the card and atomic writes."""

import hashlib
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from labels.datasets import export
from labels.datasets.splits import split_of
from labels.models import Assignment, GoldLabel
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    GoldLabelFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def run_export(project, *args: str) -> str:
    out = StringIO()
    call_command("export_gold", "--project", project.slug, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def export_lines(project, *args: str) -> list[dict]:
    return [json.loads(line) for line in run_export(project, *args).splitlines()]


def annotator(username: str):
    """A user without a password: hashing one per call would make these tests slow."""
    return get_user_model().objects.get_or_create(username=username)[0]


def labelled(
    project, article, labels_by_user: dict[str, list[str]], status=Assignment.Status.SUBMITTED
):
    for username, labels in labels_by_user.items():
        assignment = AssignmentFactory(
            article=article, annotator=annotator(username), status=status
        )
        for index, value in enumerate(labels):
            if value is None:
                continue
            AnnotationFactory(
                assignment=assignment,
                paragraph=article.paragraphs.get(index=index),
                label=label_of(project, value),
            )


def make_article(project, external_id: str, texts: list[str]):
    article = ArticleFactory(project=project, external_id=external_id)
    for index, text in enumerate(texts):
        ParagraphFactory(article=article, index=index, text=text)
    return article


@pytest.fixture
def article(project):
    return make_article(
        project, "art-1", ["Headline", 'He said "yes"\nand left — ünïcode', "Footer"]
    )


def test_paragraph_unit_writes_one_line_per_gold_paragraph_in_order(project, article):
    labelled(
        project,
        article,
        {"ann": ["body", "quote", "boilerplate"], "bob": ["body", "quote", "caption"]},
    )

    rows = export_lines(project)

    assert [row["id"] for row in rows] == ["art-1#0", "art-1#1"]
    assert rows[1] == {
        "id": "art-1#1",
        "article_id": "art-1",
        "index": 1,
        "split": split_of("art-1"),
        "text": 'He said "yes"\nand left — ünïcode',
        "label": "quote",
        "gold_source": "unanimous",
        "agreement": 1.0,
        "annotations": [
            {"annotator": "ann", "label": "quote"},
            {"annotator": "bob", "label": "quote"},
        ],
    }


def test_adjudicated_gold_wins_and_work_in_progress_does_not_count(project, article):
    labelled(project, article, {"ann": ["body", "body", "body"], "bob": ["body", "body", "body"]})
    labelled(
        project,
        article,
        {"wip": ["caption", "caption", "caption"]},
        status=Assignment.Status.IN_PROGRESS,
    )
    GoldLabelFactory(
        paragraph=article.paragraphs.get(index=2), label=label_of(project, "boilerplate")
    )

    rows = export_lines(project)

    assert [(r["label"], r["gold_source"], r["agreement"]) for r in rows] == [
        ("body", "unanimous", 1.0),
        ("body", "unanimous", 1.0),
        ("boilerplate", "adjudicated", 0.0),
    ]
    assert {a["annotator"] for r in rows for a in r["annotations"]} == {"ann", "bob"}


def test_min_annotations_defaults_to_two(project, article):
    labelled(project, article, {"ann": ["body", "body", "body"]})

    assert export_lines(project) == []
    assert len(export_lines(project, "--min-annotations", "1")) == 3


def test_a_majority_of_three_is_gold_at_the_default_threshold(project, article):
    labelled(
        project,
        article,
        {
            "ann": ["body", "quote", "body"],
            "bob": ["body", "quote", "caption"],
            "cy": ["quote", "body", "boilerplate"],
        },
    )

    rows = export_lines(project)

    assert [(r["index"], r["label"], r["gold_source"], r["agreement"]) for r in rows] == [
        (0, "body", "majority", 0.6667),
        (1, "quote", "majority", 0.6667),
    ]
    assert export_lines(project, "--min-agreement", "0.7") == []


def test_include_unresolved_adds_annotated_paragraphs_with_label_null(project, article):
    make_article(project, "never-labelled", ["Nobody looked at this"])
    labelled(project, article, {"ann": ["body", "quote", None], "bob": ["body", "body", None]})

    rows = export_lines(project, "--include-unresolved")

    assert [(r["id"], r["label"], r["gold_source"], r["agreement"]) for r in rows] == [
        ("art-1#0", "body", "unanimous", 1.0),
        ("art-1#1", None, "unresolved", None),
    ]
    assert rows[1]["annotations"] == [
        {"annotator": "ann", "label": "quote"},
        {"annotator": "bob", "label": "body"},
    ]


def test_article_unit_has_every_paragraph_of_each_article_in_order(project, article):
    ArticleFactory(project=project, external_id="empty")
    make_article(project, "unlabelled", ["No gold here"])
    labelled(project, article, {"ann": ["body", "quote", "body"], "bob": ["body", "body", "body"]})

    rows = export_lines(project, "--unit", "article")

    assert rows == [
        {
            "article_id": "art-1",
            "title": article.title,
            "url": article.url,
            "split": split_of("art-1"),
            "meta": {},
            "paragraphs": [
                {
                    "index": 0,
                    "text": "Headline",
                    "label": "body",
                    "gold_source": "unanimous",
                    "agreement": 1.0,
                    "annotations": [
                        {"annotator": "ann", "label": "body"},
                        {"annotator": "bob", "label": "body"},
                    ],
                },
                {
                    "index": 1,
                    "text": 'He said "yes"\nand left — ünïcode',
                    "label": None,
                    "gold_source": "unresolved",
                    "agreement": None,
                    "annotations": [
                        {"annotator": "ann", "label": "quote"},
                        {"annotator": "bob", "label": "body"},
                    ],
                },
                {
                    "index": 2,
                    "text": "Footer",
                    "label": "body",
                    "gold_source": "unanimous",
                    "agreement": 1.0,
                    "annotations": [
                        {"annotator": "ann", "label": "body"},
                        {"annotator": "bob", "label": "body"},
                    ],
                },
            ],
        }
    ]


def test_article_unit_with_include_unresolved_keeps_articles_without_gold(project, article):
    labelled(
        project, article, {"ann": ["body", "quote", "body"], "bob": ["quote", "body", "caption"]}
    )

    assert export_lines(project, "--unit", "article") == []
    [row] = export_lines(project, "--unit", "article", "--include-unresolved")
    assert [p["label"] for p in row["paragraphs"]] == [None, None, None]


def test_articlebody_joins_body_and_quote_of_complete_articles(project, article):
    complete = make_article(project, "complete", ["Title", "First.", "“Quoted.”", "Photo: X", "Ad"])
    labelled(
        project,
        complete,
        {
            "ann": ["boilerplate", "body", "quote", "caption", "boilerplate"],
            "bob": ["boilerplate", "body", "quote", "caption", "boilerplate"],
        },
    )
    # art-1 has an unresolved paragraph: an incomplete article is no ground truth.
    labelled(project, article, {"ann": ["body", "quote", "body"], "bob": ["body", "body", "body"]})

    document = json.loads(run_export(project, "--format", "articlebody"))

    assert document == {
        "complete": {"articleBody": "First.\n\n“Quoted.”", "url": complete.url},
    }


def test_articlebody_refuses_options_that_do_not_apply(project):
    with pytest.raises(CommandError, match="--unit applies to the jsonl and parquet formats only"):
        run_export(project, "--format", "articlebody", "--unit", "article")
    with pytest.raises(CommandError, match="--include-unresolved does not apply"):
        run_export(project, "--format", "articlebody", "--include-unresolved")


def test_adding_articles_never_moves_the_split_of_earlier_ones(project):
    def label_all(articles):
        for a in articles:
            labelled(project, a, {"ann": ["body"], "bob": ["body"]})

    first = [make_article(project, f"old-{n}", ["text"]) for n in range(40)]
    label_all(first)
    before = {r["article_id"]: r["split"] for r in export_lines(project)}
    later = [make_article(project, f"new-{n}", ["text"]) for n in range(40)]
    label_all(later)

    after = {r["article_id"]: r["split"] for r in export_lines(project)}

    assert set(before.values()) == {"train", "dev", "test"}
    assert {k: after[k] for k in before} == before
    assert len(after) == 80


@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_interleaved_projects_export_only_their_own_articles_whole(project, batch_size):
    other = ProjectFactory()
    for n in range(7):  # ids alternate between the two projects
        for owner in (project, other):
            a = make_article(owner, f"{owner.slug}-{n}", ["one", "two"])
            labelled(owner, a, {"ann": ["body", "quote"], "bob": ["body", "quote"]})
    stats = export.ExportStats()

    lines = export.export_text(
        project=project, options=export.ExportOptions(), stats=stats, batch_size=batch_size
    )
    rows = [json.loads(line) for line in lines]

    assert [r["id"] for r in rows] == [f"{project.slug}-{n}#{i}" for n in range(7) for i in (0, 1)]
    assert [r["label"] for r in rows] == ["body", "quote"] * 7
    assert stats.project_paragraphs == 14


def test_all_paragraphs_of_an_article_share_its_split(project):
    articles = [make_article(project, f"a{n}", ["one", "two", "three"]) for n in range(10)]
    for a in articles:
        labelled(project, a, {"x": ["body"] * 3, "y": ["body"] * 3})

    rows = export_lines(project, "--split", "50/50")

    by_article: dict[str, set[str]] = {}
    for row in rows:
        by_article.setdefault(row["article_id"], set()).add(row["split"])
    assert all(len(splits) == 1 for splits in by_article.values())
    assert {s for splits in by_article.values() for s in splits} <= {"train", "test"}


def test_anonymize_gives_stable_per_project_pseudonyms_and_no_account_fields(project, article):
    ann = UserFactory(
        username="ann", email="ann@private.invalid", first_name="Ann", last_name="Lee"
    )
    UserFactory(username="bob", email="bob@private.invalid")
    labelled(project, article, {"ann": ["body"] * 3, "bob": ["body"] * 3})
    other = ProjectFactory()
    copy = make_article(other, "art-1", ["Headline"])
    labelled(other, copy, {"ann": ["body"], "bob": ["body"]})

    first = run_export(project, "--anonymize")
    again = run_export(project, "--anonymize")
    elsewhere = export_lines(other, "--anonymize")

    assert first == again
    names = {
        a["annotator"] for row in map(json.loads, first.splitlines()) for a in row["annotations"]
    }
    assert len(names) == 2
    assert all(name.startswith("annotator-") for name in names)
    assert names.isdisjoint({a["annotator"] for a in elsewhere[0]["annotations"]})
    for secret in ("ann", "bob", "private.invalid", "Ann", "Lee", str(ann.pk)):
        assert f'"{secret}"' not in first
        assert "@" not in first


def test_renamed_replaces_names_wherever_a_report_holds_them():
    report = {
        "pairwise": [{"a": "ann", "b": "bob", "kappa": 0.5}],
        "per_annotator": {"ann": 3, "cy": 1},
        "reason": "ann",
        "note": "ann and bob",  # only whole strings are names
        "n": 2,
    }

    assert export.renamed(report, {"ann": "p1", "bob": "p2"}) == {
        "pairwise": [{"a": "p1", "b": "p2", "kappa": 0.5}],
        "per_annotator": {"p1": 3, "cy": 1},
        "reason": "p1",
        "note": "ann and bob",
        "n": 2,
    }


def test_an_anonymized_card_names_nobody(project, article, tmp_path):
    UserFactory(username="ann", email="ann@private.invalid")
    labelled(project, article, {"ann": ["body", "quote", "body"], "bob": ["body", "body", "body"]})
    card_path = tmp_path / "card.json"

    run_export(project, "--anonymize", "--card", str(card_path))

    text = card_path.read_text("utf-8") + (tmp_path / "card.md").read_text("utf-8")
    assert not re.search(r"\b(ann|bob)\b", text)
    assert "private.invalid" not in text
    assert json.loads(card_path.read_text("utf-8"))["agreement"]["annotations"] == 6


def test_pseudonyms_depend_on_the_pseudonym_key(project, settings):
    name = export.pseudonym(project_id=project.pk, user_id=7)
    settings.PSEUDONYM_KEY = "another key"

    assert export.pseudonym(project_id=project.pk, user_id=7) != name


def test_named_exports_carry_the_username_only(project, article):
    UserFactory(username="ann", email="ann@private.invalid", first_name="Annabel")
    labelled(project, article, {"ann": ["body"] * 3, "bob": ["body"] * 3})

    text = run_export(project, "--unit", "article")

    assert '"annotator":"ann"' in text
    assert "private.invalid" not in text
    assert "Annabel" not in text


TRICKY = [
    "Quotes \" and ' and a backslash \\ and a tab\tend",
    "Line one\nline two\r\nline three",
    "Emoji 🧪, CJK 漢字, RTL עברית, combining é, NBSP\u00a0here",
    "Separators \u2028 and \u2029 and NEL \x85 must not break lines",
    "Control \x01\x1f and zero-width \u200b",
    "</script><script>alert(1)</script> {{7*7}}",
]


def test_tricky_text_round_trips_byte_exact_through_json_loads(project, tmp_path):
    article = make_article(project, 'tricky ✓ "id"', TRICKY)
    labelled(project, article, {"ann": ["body"] * len(TRICKY), "bob": ["body"] * len(TRICKY)})
    out = tmp_path / "gold.jsonl"

    call_command("export_gold", "--project", project.slug, "--out", str(out), stderr=StringIO())

    raw = out.read_bytes()
    text = raw.decode("utf-8")
    # Every reader's idea of a line agrees: \n only, even for str.splitlines().
    assert text.count("\n") == len(TRICKY) == len(text.splitlines())
    rows = [json.loads(line) for line in text.splitlines()]
    assert [row["text"] for row in rows] == TRICKY
    assert {row["article_id"] for row in rows} == {'tricky ✓ "id"'}
    assert "漢字".encode() in raw  # UTF-8, not ASCII escapes


def test_paragraph_lines_are_exactly_what_json_dumps_writes(project):
    article = make_article(project, 'ids "with" ✓ #', TRICKY[:3] + TRICKY[4:])
    labelled(
        project,
        article,
        {"ann": ["body", "quote", "body", "caption", "body"], "bob": ["body"] * 3 + ["quote"] * 2},
    )
    GoldLabelFactory(paragraph=article.paragraphs.get(index=4), label=label_of(project, "quote"))

    lines = run_export(project, "--include-unresolved", "--anonymize").splitlines()

    assert len(lines) == 5
    for line in lines:
        assert line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))


def test_articlebody_round_trips_tricky_text(project):
    article = make_article(project, "t", TRICKY)
    labelled(project, article, {"ann": ["body"] * len(TRICKY), "bob": ["body"] * len(TRICKY)})

    document = json.loads(run_export(project, "--format", "articlebody"))

    assert document["t"]["articleBody"] == "\n\n".join(TRICKY)


def test_card_counts_equal_the_lines_written_and_hash_the_file(project, tmp_path):
    for n in range(30):
        a = make_article(project, f"a{n}", ["h", "b", "c"])
        labelled(
            project,
            a,
            {"ann": ["boilerplate", "body", "caption"], "bob": ["boilerplate", "body", "quote"]},
        )
    GoldLabelFactory(paragraph=a.paragraphs.get(index=2), label=label_of(project, "quote"))
    make_article(project, "unlabelled", ["x", "y"])
    out, card_path = tmp_path / "gold.jsonl", tmp_path / "card.json"

    call_command(
        "export_gold",
        "--project",
        project.slug,
        "--out",
        str(out),
        "--card",
        str(card_path),
        "--include-unresolved",
        stderr=StringIO(),
    )

    card = json.loads(card_path.read_text("utf-8"))
    raw = out.read_bytes()
    rows = [json.loads(line) for line in raw.decode().splitlines()]
    assert card["file"] == {
        "name": "gold.jsonl",
        "format": "jsonl",
        "unit": "paragraph",
        "lines": len(rows),
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    counts = card["counts"]
    assert counts["lines"] == counts["paragraphs"] == len(rows) == 90
    assert counts["articles"] == 30
    expected_labels: dict[str, int] = {}
    for row in rows:
        key = row["label"] or "null"
        expected_labels[key] = expected_labels.get(key, 0) + 1
    assert (
        counts["labels"]
        == expected_labels
        == {
            "body": 30,
            "boilerplate": 30,
            "quote": 1,
            "null": 29,
        }
    )
    assert counts["unresolved"] == 29
    for name, split in counts["splits"].items():
        in_split = [r for r in rows if r["split"] == name]
        assert split["lines"] == split["paragraphs"] == len(in_split)
        assert sum(split["labels"].values()) == len(in_split)
    assert sum(s["lines"] for s in counts["splits"].values()) == len(rows)
    assert counts["gold_sources"] == {"adjudicated": 1, "unanimous": 60, "unresolved": 29}
    assert counts["project"] == {"paragraphs": 92, "gold": 61, "unresolved": 29, "unlabelled": 2}
    assert card["annotators"] == {
        "anonymized": False,
        "annotations_in_file": {"ann": 90, "bob": 90},
    }
    assert card["policy"]["min_annotations"] == 2
    assert card["policy"]["min_agreement"] == 0.66
    assert [x["value"] for x in card["label_set"]] == ["body", "boilerplate", "quote", "caption"]
    assert card["split"]["ratios"] == {"train": 80, "dev": 10, "test": 10}
    assert card["app_version"] == "0.1.0"
    assert card["exported_at"]
    assert card["agreement"]["annotations"] == 180
    assert card["agreement"]["percent_agreement"] == pytest.approx(2 / 3)
    markdown = (tmp_path / "card.md").read_text("utf-8")
    assert card["file"]["sha256"] in markdown
    assert "| all | 90 | 90 | 30 | 30 | 1 | 29 |" in markdown


def test_card_of_an_article_export_counts_articles_as_lines(project, article, tmp_path):
    labelled(project, article, {"ann": ["body", "quote", "body"], "bob": ["body", "body", "body"]})
    card_path = tmp_path / "card.json"

    text = run_export(project, "--unit", "article", "--card", str(card_path))

    card = json.loads(card_path.read_text("utf-8"))
    assert card["file"]["lines"] == len(text.splitlines()) == 1
    assert card["file"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert card["counts"]["paragraphs"] == 3
    assert card["counts"]["labels"] == {"body": 2, "null": 1}


def test_card_must_be_given_as_the_json_path(project):
    with pytest.raises(CommandError, match="--card: give the JSON path"):
        run_export(project, "--card", "card.md")


def test_an_interrupted_export_leaves_no_partial_file(tmp_path):
    out = tmp_path / "gold.jsonl"
    out.write_text("previous export\n")

    def blocks():
        yield b"one\n"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.write_atomically(blocks(), out=out)

    assert out.read_text() == "previous export\n"
    assert [p.name for p in Path(tmp_path).iterdir()] == ["gold.jsonl"]


def test_an_export_failing_midway_keeps_the_previous_file(project, tmp_path):
    for n in range(3):
        a = make_article(project, f"a{n}", ["p"])
        labelled(project, a, {"x": ["body"], "y": ["body"]})
    out = tmp_path / "gold.jsonl"
    out.write_text("previous export\n")
    stats = export.ExportStats()
    blocks = export.export_bytes(
        project=project, options=export.ExportOptions(), stats=stats, batch_size=1
    )

    def fail_after_first(source):
        yield next(iter(source))
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        export.write_atomically(fail_after_first(blocks), out=out)

    assert out.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gold.jsonl"]


def test_stdout_and_file_exports_are_the_same_bytes(project, article, tmp_path):
    labelled(project, article, {"ann": ["body", "quote", "body"], "bob": ["body", "quote", "body"]})
    out = tmp_path / "gold.jsonl"

    call_command("export_gold", "--project", project.slug, "--out", str(out), stderr=StringIO())

    assert run_export(project).encode("utf-8") == out.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-annotations", "0"], "--min-annotations must be at least 1"),
        (["--min-agreement", "1.5"], "--min-agreement must be greater than 0 and at most 1"),
        (["--split", "80/30"], "--split '80/30': percentages must be non-negative and add up"),
    ],
)
def test_bad_options_are_clear_errors(project, args, message):
    with pytest.raises(CommandError, match=message):
        run_export(project, *args)


def test_unknown_project_is_a_clear_error():
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("export_gold", "--project", "nope")


def test_a_stored_gold_label_reports_how_the_reviewer_set_it(project):
    article = ArticleFactory(project=project)
    for index, source in enumerate(GoldLabel.Source.values):
        GoldLabelFactory(paragraph=ParagraphFactory(article=article, index=index), source=source)
    out = StringIO()

    call_command("export_gold", "--project", project.slug, stdout=out, stderr=StringIO())

    sources = [json.loads(line)["gold_source"] for line in out.getvalue().splitlines()]
    assert sources == ["adjudicated", "accepted_majority", "site_memory", "imported"]
