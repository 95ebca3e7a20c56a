"""Stored versions of a project's suggestion model, and suggesting with the active one.

A project has at most one active model: the newest version that beat the rules on its
held-out articles (``labels.suggestions.learning`` decides). Until one exists the rules make
the suggestions. A loaded model is kept per process, keyed by its row id, since the blob of
a version never changes; a model the running scikit-learn cannot read counts as absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count

from labels.models import Paragraph, Project, SuggestionModel
from labels.suggestions import classifier, features

SOURCE = "model"
LOADED_LIMIT = 32
_LOADED: dict[int, classifier.Trained | None] = {}


@dataclass(frozen=True)
class Active:
    row: SuggestionModel
    trained: classifier.Trained

    @property
    def version(self) -> str:
        return f"model-{self.row.version}"

    @property
    def source(self) -> str:
        return f"{SOURCE}:{self.row.kind}"


def active_model(*, project: Project) -> Active | None:
    """The project's active model, loaded, or None (the rules then suggest)."""
    row = (
        SuggestionModel.objects.filter(project=project, active=True, features=features.VERSION)
        .order_by("-version")
        .first()
    )
    if row is None:
        return None
    if row.pk not in _LOADED:
        if len(_LOADED) >= LOADED_LIMIT:
            _LOADED.clear()  # old versions are never asked for again; keep memory bounded
        try:
            _LOADED[row.pk] = classifier.loads(row.blob, library=row.library)
        except classifier.ModelUnavailable:
            _LOADED[row.pk] = None
    trained = _LOADED[row.pk]
    return Active(row=row, trained=trained) if trained is not None else None


def repeat_counts(
    *, project: Project, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """For (site, text hash) keys: in how many articles of the project that text appears."""
    wanted = {key for key in keys if key[1]}
    hashes = sorted({text_hash for _, text_hash in wanted})
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(hashes), 5000):
        for source, text_hash, n in (
            Paragraph.objects.filter(
                article__project=project, text_hash__in=hashes[start : start + 5000]
            )
            .values("article__source", "text_hash")
            .annotate(n=Count("article_id", distinct=True))
            .values_list("article__source", "text_hash", "n")
        ):
            if (source, text_hash) in wanted:
                found[source, text_hash] = n
    return found


def article_inputs(
    paragraphs: Sequence[Paragraph], *, source: str, repeats: dict[tuple[str, str], int]
) -> list[features.ParagraphInput]:
    """The feature inputs of one article's paragraphs (repeats: other articles, not this one)."""
    return [
        features.ParagraphInput(
            text=p.text,
            meta=p.meta or {},
            repeats=max(0, repeats.get((source, p.text_hash), 1) - 1),
        )
        for p in paragraphs
    ]
