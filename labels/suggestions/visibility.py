"""Whether a project showed suggestions to its annotators, now and at any past moment.

Agreement measured on labels given with a suggestion in view is not the same evidence as
agreement without one, so every switch is logged (``SuggestionVisibility``) and the review
can tell, for each label, whether its annotator saw a suggestion when first giving it.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from django.db import transaction

from labels.models import Project, SuggestionVisibility


@transaction.atomic
def set_show_suggestions(*, project: Project, show: bool) -> None:
    """Show or hide suggestions for the project's annotators, logging the switch."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    if current.show_suggestions == show:
        return  # no switch, nothing to log
    Project.objects.filter(pk=project.pk).update(show_suggestions=show)
    SuggestionVisibility.objects.create(project=project, shown=show)
    project.show_suggestions = show


class Timeline:
    """Answers "were suggestions shown at this moment?" from the project's switch log."""

    def __init__(self, *, project: Project) -> None:
        log = list(
            SuggestionVisibility.objects.filter(project=project)
            .order_by("changed_at", "pk")
            .values_list("changed_at", "shown")
        )
        self._times = [when for when, _ in log]
        self._states = [shown for _, shown in log]
        # Before the first switch the project was in the opposite state; with no switch
        # ever, it has always been as it is now.
        self._initial = (not self._states[0]) if self._states else project.show_suggestions

    def shown_at(self, when: datetime) -> bool:
        """The project's setting at ``when``."""
        position = bisect_right(self._times, when)
        return self._states[position - 1] if position else self._initial
