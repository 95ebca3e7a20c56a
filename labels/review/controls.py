"""Control items: fully decided articles a reviewer marked, handed to annotators by the queue
at the project's rate (``queue.claim_next``), and scored here against their gold.

Only answers given after the article became a control count (the annotators whose labels
decided it are not scored on their own work). Control items are left out of every agreement
figure (``reliability`` skips articles with ``control_since``) and never change gold.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q

from labels.models import Annotation, Assignment, Project


@dataclass(frozen=True)
class ControlScore:
    user_id: int
    username: str
    answered: int  # paragraphs of control items the annotator labelled and submitted
    correct: int
    warn: bool

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def control_scores(*, project: Project) -> list[ControlScore]:
    """Per annotator: control paragraphs answered and how many match gold (one query)."""
    rows = (
        Annotation.objects.filter(
            assignment__article__project=project,
            assignment__article__control_since__isnull=False,
            assignment__status=Assignment.Status.SUBMITTED,
            assignment__started_at__gte=F("assignment__article__control_since"),
        )
        .values("assignment__annotator_id", "assignment__annotator__username")
        .annotate(
            answered=Count("pk"),
            correct=Count("pk", filter=Q(label_id=F("paragraph__gold__label_id"))),
        )
        .order_by("assignment__annotator__username")
    )
    return [
        ControlScore(
            user_id=row["assignment__annotator_id"],
            username=row["assignment__annotator__username"],
            answered=row["answered"],
            correct=row["correct"],
            warn=row["correct"] < project.control_warning * row["answered"],
        )
        for row in rows
    ]
