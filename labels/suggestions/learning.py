"""Training the project's suggestion model on the team's own decisions.

What it learns from, in order of trust: a paragraph's gold label (adjudicated, accepted
majority, site memory or imported), else the strict majority of its submitted annotations (a
single submitted annotation is its own majority; a tie teaches nothing).

How it is judged: the articles with decisions are split, by a stable hash of their id, into
training (three quarters) and held-out (a quarter, at least one) articles, never splitting an
article. The model trained on the training part and the rules are scored on the same held-out
paragraphs: four-way accuracy, body against the rest, and per label. Only a model whose
four-way accuracy beats the rules' becomes active; it is then refitted on every decided
article, stored as the next version (``SuggestionModel``) and the articles nobody has started
get its suggestions. A model that does not beat the rules is stored too (its figures are
worth seeing) but suggests nothing.

When it runs: on demand (``manage.py train_suggestions``), and through ``retrain_if_due`` at
the end of an import or adjudication batch once ``project.retrain_every`` new decisions have
arrived since the last training. Training takes seconds (bench/bench_learning.py), so it runs
in the caller's process; it is one function call that a background job can take over.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.db import transaction
from django.db.models import F

from labels.models import (
    Annotation,
    Article,
    Assignment,
    GoldLabel,
    Paragraph,
    Project,
    SuggestionModel,
)
from labels.suggestions import classifier, features, preannotation, suggest, versions

MIN_ARTICLES = 4
HELD_OUT_SHARE = 0.25


class NotEnoughDecisions(Exception):
    """Too few decided articles to train and hold some out."""

    def __init__(self, project: Project, articles: int) -> None:
        self.articles = articles
        super().__init__(
            f"project {project.slug!r}: {articles} article(s) have decided paragraphs; "
            f"training needs at least {MIN_ARTICLES}"
        )


@dataclass(frozen=True)
class Training:
    model: SuggestionModel
    resuggested: int

    @property
    def active(self) -> bool:
        return self.model.active


def decision_count(*, project: Project) -> int:
    """Gold labels plus labels of submitted work: what ``retrain_every`` counts."""
    gold = GoldLabel.objects.filter(paragraph__article__project=project).count()
    submitted = Annotation.objects.filter(
        assignment__article__project=project, assignment__status=Assignment.Status.SUBMITTED
    ).count()
    return gold + submitted


def decided_labels(*, project: Project) -> dict[int, str]:
    """Paragraph id -> the label to learn: gold first, else the submitted strict majority."""
    decided = dict(
        GoldLabel.objects.filter(paragraph__article__project=project).values_list(
            "paragraph_id", "label__value"
        )
    )
    votes: dict[int, Counter] = defaultdict(Counter)
    for paragraph_id, value in (
        Annotation.objects.filter(
            assignment__article__project=project,
            assignment__status=Assignment.Status.SUBMITTED,
            paragraph__gold__isnull=True,
        )
        .values_list("paragraph_id", "label__value")
        .iterator(chunk_size=10_000)
    ):
        votes[paragraph_id][value] += 1
    for paragraph_id, counts in votes.items():
        label, top = counts.most_common(1)[0]
        if 2 * top > sum(counts.values()):
            decided[paragraph_id] = label
    return decided


def held_out(article_ids: list[int], *, project: Project) -> set[int]:
    """A stable quarter (at least one) of the articles, chosen by a hash of their ids."""
    ordered = sorted(article_ids, key=lambda pk: (zlib.crc32(f"{project.pk}:{pk}".encode()), pk))
    return set(ordered[: max(1, round(len(ordered) * HELD_OUT_SHARE))])


@dataclass
class _Rows:
    rows: list[list[float]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)

    def extend(self, other: _Rows) -> None:
        self.rows += other.rows
        self.labels += other.labels
        self.rules += other.rules
        self.groups += other.groups


def _feature_rows(
    *, project: Project, decided: dict[int, str], article_ids: list[int]
) -> dict[int, _Rows]:
    """Per article: the feature rows, labels and rule suggestions of its decided paragraphs."""
    out: dict[int, _Rows] = {}
    articles = {
        a.pk: a for a in Article.objects.filter(pk__in=article_ids).only("pk", "title", "source")
    }
    paragraphs = list(
        Paragraph.objects.filter(article_id__in=article_ids)
        .order_by("article_id", "index")
        .only("pk", "article_id", "index", "text", "meta", "text_hash")
    )
    repeats = versions.repeat_counts(
        project=project,
        keys=[(articles[p.article_id].source, p.text_hash) for p in paragraphs],
    )
    for article_id, group in groupby(paragraphs, key=lambda p: p.article_id):
        rows = list(group)
        article = articles[article_id]
        inputs = versions.article_inputs(rows, source=article.source, repeats=repeats)
        vectors = features.article_features(inputs, title=article.title)
        ruled = suggest.suggest_article([(p.text, p.meta) for p in rows], title=article.title)
        found = _Rows()
        for paragraph, vector, rule in zip(rows, vectors, ruled, strict=True):
            if paragraph.pk in decided:
                found.rows.append(vector)
                found.labels.append(decided[paragraph.pk])
                found.rules.append(rule.label)
                found.groups.append(article_id)
        out[article_id] = found
    return out


def train_project(*, project: Project) -> Training:
    """Train, judge against the rules on held-out articles, store the next version.

    Raises NotEnoughDecisions with fewer than MIN_ARTICLES decided articles.
    """
    decisions = decision_count(project=project)
    decided = decided_labels(project=project)
    article_ids = (
        sorted(
            set(Paragraph.objects.filter(pk__in=list(decided)).values_list("article_id", flat=True))
        )
        if decided
        else []
    )
    if len(article_ids) < MIN_ARTICLES:
        raise NotEnoughDecisions(project, len(article_ids))
    by_article = _feature_rows(project=project, decided=decided, article_ids=article_ids)
    test_ids = held_out(article_ids, project=project)
    train, test = _Rows(), _Rows()
    for article_id in article_ids:
        (test if article_id in test_ids else train).extend(by_article[article_id])
    kind, selection = classifier.choose_kind(train.rows, train.labels, train.groups)
    try:
        judged = classifier.fit(train.rows, train.labels, kind=kind)
        model_figures = classifier.figures(
            test.labels, [label for label, _ in classifier.predict(judged, test.rows)]
        )
        fitted = True
    except ValueError:
        # Every training label but one is too rare to learn: nothing to serve.
        model_figures, fitted = classifier.figures(test.labels, ["" for _ in test.labels]), False
    rule_figures = classifier.figures(test.labels, test.rules)
    beats_rules = fitted and model_figures.accuracy > rule_figures.accuracy
    everything = _Rows()
    for article_id in article_ids:
        everything.extend(by_article[article_id])
    served = classifier.fit(everything.rows, everything.labels, kind=kind) if beats_rules else None
    metrics = {
        "train_articles": len(article_ids) - len(test_ids),
        "held_out_articles": len(test_ids),
        "model": model_figures.as_dict(),
        "rules": rule_figures.as_dict(),
        "selection": {k: round(v, 4) for k, v in selection.items()},
        "beats_rules": beats_rules,
    }
    with transaction.atomic():
        # Lock the project row: two trainings at once would pick the same version number.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        latest = SuggestionModel.objects.filter(project=project).order_by("-version").first()
        row = SuggestionModel.objects.create(
            project=project,
            version=(latest.version + 1) if latest else 1,
            kind=kind,
            features=features.VERSION,
            library=judged.library if fitted else "",
            blob=classifier.dumps(served) if served is not None else b"",
            decisions=decisions,
            articles=len(article_ids),
            paragraphs=len(everything.labels),
            metrics=metrics,
            active=beats_rules,
        )
        if beats_rules:
            SuggestionModel.objects.filter(project=project, active=True).exclude(pk=row.pk).update(
                active=False
            )
    resuggested = resuggest_unstarted(project=project) if beats_rules else 0
    return Training(model=row, resuggested=resuggested)


def resuggest_unstarted(*, project: Project) -> int:
    """Recompute suggestions of the articles nobody has started, so what an annotator already
    sees never changes under them; returns how many paragraphs were suggested."""
    total = 0
    ids = list(
        Article.objects.filter(project=project, open_slots=F("project__overlap"))
        .exclude(assignments__status__in=Assignment.LIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), preannotation.ARTICLES_PER_BATCH):
        with transaction.atomic():
            counts = preannotation.store_suggestions(
                project=project,
                paragraphs=Paragraph.objects.filter(
                    article_id__in=ids[start : start + preannotation.ARTICLES_PER_BATCH]
                ),
            )
        total += sum(counts.values())
    return total


def retraining_due(*, project: Project) -> bool:
    """Whether ``project.retrain_every`` decisions arrived since the last stored version."""
    if not project.retrain_every:
        return False
    latest = SuggestionModel.objects.filter(project=project).order_by("-version").first()
    since = decision_count(project=project) - (latest.decisions if latest else 0)
    return since >= project.retrain_every


def retrain_if_due(*, project: Project) -> Training | None:
    """Train when ``project.retrain_every`` decisions arrived since the last version; else None.

    Call at the end of a batch (an import, an accept-majority), outside its transaction.
    """
    if not retraining_due(project=project):
        return None
    try:
        return train_project(project=project)
    except NotEnoughDecisions:
        return None
