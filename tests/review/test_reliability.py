"""project_agreement against the database: the SQL aggregation must give what the maths gives
on the same labels counted one by one in Python."""

import itertools
import json
import random

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from labels.models import Annotation, Assignment, GoldLabel, Label
from labels.review import agreement, reliability
from tests.factories import ProjectFactory, UserFactory, label_of
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db

VALUES = ["body", "boilerplate", "quote", "caption"]


def counts_one_by_one(project, values=VALUES) -> np.ndarray:
    """The units × labels matrix straight from Annotation rows, the slow obvious way."""
    by_paragraph: dict[int, list[int]] = {}
    for annotation in Annotation.objects.filter(
        assignment__article__project=project, assignment__status=Assignment.Status.SUBMITTED
    ).select_related("label"):
        row = by_paragraph.setdefault(annotation.paragraph_id, [0] * len(values))
        row[values.index(annotation.label.value)] += 1
    return np.array(list(by_paragraph.values()), dtype=np.int64).reshape(-1, len(values))


def same(a, b) -> bool:
    """Equal JSON values, floats within 1e-9."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


def random_project(seed: int, *, annotators: int = 4, articles: int = 12):
    """Articles of 1-6 paragraphs, each labelled by 1-4 annotators who sometimes skip one."""
    rng = random.Random(seed)
    project = ProjectFactory()
    users = [UserFactory() for _ in range(annotators)]
    for _ in range(articles):
        article = make_article(project, rng.randint(1, 6))
        size = article.paragraphs.count()
        for user in rng.sample(users, rng.randint(1, annotators)):
            values = [
                None if rng.random() < 0.1 else rng.choice(VALUES[: rng.randint(1, 4)])
                for _ in range(size)
            ]
            label(article, user, values)
    return project


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_report_equals_the_maths_on_labels_counted_one_by_one(seed):
    project = random_project(seed)

    report = reliability.project_agreement(project=project, resamples=200)

    expected = agreement.summarize(counts_one_by_one(project), VALUES, annotators=4, resamples=200)
    for key in (
        "units",
        "annotations",
        "pairable_units",
        "krippendorff_alpha",
        "alpha_ci95",
        "fleiss_kappa",
        "fleiss_units",
        "percent_agreement",
        "gwet_ac1",
        "per_label",
    ):
        assert same(report[key], expected[key]), key
    assert np.allclose(report["coincidence"]["matrix"], expected["coincidence"]["matrix"])
    assert report["annotators"] == len(report["annotator_articles"])
    json.dumps(report, allow_nan=False)


@pytest.mark.parametrize("seed", [4, 5])
def test_pair_tables_from_codes_equal_the_self_join_and_sklearn(seed):
    project = random_project(seed, annotators=5)
    ids = [pk for pk, _ in reliability.label_set(project=project)]

    coded = reliability.tally(project=project, label_ids=ids).pairs
    joined = reliability.pairs_by_self_join(project=project, label_ids=ids)

    assert coded.keys() == joined.keys()
    for pair in joined:
        assert np.array_equal(coded[pair], joined[pair]), pair
    report = reliability.project_agreement(project=project, resamples=10)
    for entry in report["pairwise_cohen_kappa"]:
        a_labels, b_labels = shared_labels(project, entry["a"], entry["b"])
        assert entry["n"] == len(a_labels)
        if entry["kappa"] is not None:
            assert entry["kappa"] == pytest.approx(
                cohen_kappa_score(a_labels, b_labels, labels=VALUES)
            )


def shared_labels(project, a: str, b: str) -> tuple[list[str], list[str]]:
    def labels_of(username: str) -> dict[int, str]:
        return dict(
            Annotation.objects.filter(
                assignment__annotator__username=username,
                assignment__article__project=project,
                assignment__status=Assignment.Status.SUBMITTED,
            ).values_list("paragraph_id", "label__value")
        )

    first, second = labels_of(a), labels_of(b)
    shared = sorted(first.keys() & second.keys())
    return [first[p] for p in shared], [second[p] for p in shared]


def test_only_submitted_assignments_count(project):
    article = make_article(project, 3)
    ann, bob, cy = UserFactory(username="ann"), UserFactory(username="bob"), UserFactory()
    label(article, ann, ["body", "body", "quote"])
    label(article, bob, ["body", "quote", "quote"])
    label(article, cy, ["caption"] * 3, status=Assignment.Status.IN_PROGRESS)

    report = reliability.project_agreement(project=project, resamples=10)

    assert (report["units"], report["annotations"], report["annotators"]) == (3, 6, 2)
    assert report["per_label"]["caption"]["count"] == 0
    assert [(p["a"], p["b"], p["n"]) for p in report["pairwise_cohen_kappa"]] == [("ann", "bob", 3)]
    assert report["annotator_articles"] == {"ann": 1, "bob": 1}


def test_articles_with_more_raters_than_a_code_holds_take_the_general_path():
    labels = [f"l{n}" for n in range(10)]
    project = ProjectFactory()
    Label.objects.filter(project=project).delete()
    Label.objects.bulk_create(
        Label(project=project, value=value, name=value, key=str(n), order=n)
        for n, value in enumerate(labels)
    )
    capacity = reliability.code_capacity(len(labels))
    assert capacity == 18
    crowded = make_article(project, 2)
    normal = make_article(project, 2)
    users = [UserFactory() for _ in range(capacity + 1)]
    for n, user in enumerate(users):
        label(crowded, user, [labels[n % 3], labels[0]])
    label(normal, users[0], [labels[1], labels[2]])
    label(normal, users[1], [labels[1], labels[3]])
    ids = [pk for pk, _ in reliability.label_set(project=project)]

    counted = reliability.tally(project=project, label_ids=ids)

    assert np.array_equal(
        sorted(map(tuple, counted.labels.expanded())),
        sorted(map(tuple, counts_one_by_one(project, labels))),
    )
    joined = reliability.pairs_by_self_join(project=project, label_ids=ids)
    assert counted.pairs.keys() == joined.keys()
    assert len(joined) == len(users) * (len(users) - 1) // 2
    for pair, matrix in joined.items():
        assert np.array_equal(counted.pairs[pair], matrix), pair


def test_per_source_and_worst_articles_point_at_the_divided_ones(project):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    calm = make_article(project, 4, source="calm.example", title="Calm")
    for user in (ann, bob):
        label(calm, user, ["body", "body", "boilerplate", "quote"])
    divided = make_article(project, 4, source="divided.example", title="Divided")
    label(divided, ann, ["body", "quote", "boilerplate", "caption"])
    label(divided, bob, ["body", "body", "caption", "caption"])
    slightly = make_article(project, 4, source="divided.example", title="Slightly")
    label(slightly, ann, ["body", "body", "body", "quote"])
    label(slightly, bob, ["body", "body", "body", "body"])

    report = reliability.project_agreement(project=project, resamples=10)

    sources = {row["source"]: row for row in report["per_source"]}
    assert sources["calm.example"]["alpha"] == pytest.approx(1.0)
    assert sources["calm.example"]["disagreeing_units"] == 0
    assert sources["divided.example"]["units"] == 8
    assert sources["divided.example"]["disagreeing_units"] == 3
    assert sources["divided.example"]["alpha"] == pytest.approx(
        agreement.krippendorff_alpha_nominal(
            counts_one_by_one(project)[4:]  # the two divided.example articles, in pk order
        ).value
    )
    assert [row["source"] for row in report["per_source"]] == ["divided.example", "calm.example"]
    assert [a["title"] for a in report["worst_articles"]] == ["Divided", "Slightly"]
    assert report["worst_articles"][0]["disagreeing_units"] == 2
    assert report["worst_articles"][0]["percent_agreement"] == pytest.approx(0.5)
    assert report["articles_with_disagreements"] == 2


def test_annotators_are_scored_against_stored_gold(project):
    article = make_article(project, 4)
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    label(article, ann, ["body", "quote", "quote", "caption"])
    label(article, bob, ["body", "body", "quote", "boilerplate"])
    paragraphs = list(article.paragraphs.order_by("index"))
    for paragraph, value in zip(paragraphs[:3], ["body", "quote", "quote"], strict=True):
        GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, value))

    report = reliability.project_agreement(project=project, resamples=10)

    scores = {row["annotator"]: row for row in report["gold"]["annotators"]}
    assert scores["ann"]["compared"] == 3
    assert scores["ann"]["accuracy"] == pytest.approx(1.0)
    assert scores["bob"]["accuracy"] == pytest.approx(2 / 3)
    assert scores["bob"]["per_label"]["body"] == {"precision": 0.5, "recall": 1.0, "support": 1}
    assert scores["bob"]["per_label"]["quote"] == {"precision": 1.0, "recall": 0.5, "support": 2}
    assert scores["bob"]["per_label"]["caption"]["precision"] is None


def test_an_empty_project_reports_zero_units_and_explains_every_null(project):
    report = reliability.project_agreement(project=project, resamples=10)

    assert (report["units"], report["annotators"]) == (0, 0)
    assert report["krippendorff_alpha"] is None
    assert report["reasons"]["krippendorff_alpha"] == agreement.NO_ANNOTATIONS
    assert report["per_source"] == [] and report["worst_articles"] == []
    assert report["pairwise_cohen_kappa"] == []
    json.dumps(report, allow_nan=False)


def test_the_number_of_queries_does_not_grow_with_the_project(project, django_assert_num_queries):
    users = [UserFactory() for _ in range(3)]

    def add_articles(n: int) -> None:
        for _ in range(n):
            article = make_article(project, 3)
            for user in users[:2]:
                label(article, user, ["body", "quote", "body"])

    add_articles(1)
    with django_assert_num_queries(10):
        reliability.project_agreement(project=project, resamples=10)
    add_articles(10)
    GoldLabel.objects.create(
        paragraph=project.articles.first().paragraphs.first(), label=label_of(project, "body")
    )
    with django_assert_num_queries(10):
        reliability.project_agreement(project=project, resamples=10)


@pytest.mark.parametrize(("labels", "slots"), [(1, 63), (4, 27), (10, 18)])
def test_code_capacity_fits_a_signed_64_bit_integer(labels, slots):
    assert reliability.code_capacity(labels) == slots
    assert (labels + 1) ** slots - 1 < 2**63 <= (labels + 1) ** (slots + 1) - 1


def test_decode_reads_each_slot_digit():
    # base 5: slot 0 gave label column 1 (digit 2), slot 1 nothing, slot 2 column 3 (digit 4).
    code = 2 + 0 * 5 + 4 * 25
    assert reliability.decode(np.array([code]), labels=4, slots=3).tolist() == [[1, -1, 3]]


def test_pairs_are_oriented_by_username_whatever_the_ids():
    matrix = np.array([[1, 2], [0, 3]])
    named = reliability.named_pairs({(7, 9): matrix}, {7: "zoe", 9: "amy"})

    assert list(named) == [("amy", "zoe")]
    assert np.array_equal(named[("amy", "zoe")], matrix.T)


def test_every_pair_of_three_annotators_is_counted_once(project):
    article = make_article(project, 2)
    users = [UserFactory(username=name) for name in ("ann", "bob", "cy")]
    for user, values in zip(
        users, [["body", "quote"], ["body", "body"], ["quote", "body"]], strict=True
    ):
        label(article, user, values)

    report = reliability.project_agreement(project=project, resamples=10)

    pairs = {(p["a"], p["b"]): p["n"] for p in report["pairwise_cohen_kappa"]}
    assert pairs == dict.fromkeys(itertools.combinations(["ann", "bob", "cy"], 2), 2)
