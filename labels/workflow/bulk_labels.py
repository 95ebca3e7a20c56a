"""Several labels in one call (the API's PUT .../labels/), under the keyboard's rules.

Each label goes through ``annotating.set_label``, the keypress path: the same assignment lock,
the same in-place update and the same history row. The call is one transaction: a bad entry
(an index the article does not have, a label outside the project's set) writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from labels.models import Assignment, Label, Paragraph
from labels.workflow import annotating


@dataclass(frozen=True)
class LabelEntry:
    index: int
    label: str


class InvalidLabels(ValueError):
    """Entries that do not fit the article or the label set; each message names its field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def set_labels(
    *, assignment: Assignment, entries: Sequence[LabelEntry], active_seconds: float = 0.0
) -> dict[str, int]:
    """Label the given paragraphs of the assignment's article; returns the article's progress.

    Raises InvalidLabels (nothing written) or annotating.AssignmentClosed.
    """
    paragraphs = {p.index: p for p in Paragraph.objects.filter(article_id=assignment.article_id)}
    labels = {
        label.value: label
        for label in Label.objects.filter(project_id=assignment.article.project_id)
    }
    problems = []
    for position, entry in enumerate(entries):
        if entry.index not in paragraphs:
            problems.append(
                f"labels[{position}].index: the article has no paragraph {entry.index} "
                f"(it has 0 to {len(paragraphs) - 1})"
            )
        if entry.label not in labels:
            problems.append(
                f"labels[{position}].label: {entry.label!r} is not one of "
                f"{', '.join(sorted(labels))}"
            )
    if problems:
        raise InvalidLabels(problems)
    with transaction.atomic():
        # Refuses a closed assignment even for an empty list, and serialises with the browser.
        annotating.lock_open_assignment(assignment, active_seconds=active_seconds)
        for entry in entries:
            annotating.set_label(
                assignment=assignment,
                paragraph=paragraphs[entry.index],
                label=labels[entry.label],
            )
        return annotating.progress(assignment)
