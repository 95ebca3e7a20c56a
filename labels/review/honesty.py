"""Keeping annotators honest when suggestions are shown.

A label was given "with a suggestion shown" when the project showed suggestions at the moment
it was first given (``labels.suggestions.visibility``) and the paragraph has a suggestion, or
when it was given by accepting one. From the submitted annotations of a project:

- agreement is reported separately for paragraphs whose every label was given with a
  suggestion shown and for those whose every label was given without (mixed paragraphs are
  counted, not scored): Krippendorff's alpha and the share of unanimous paragraphs, plus how
  often the labels equal the suggestion, which rises when people follow it;
- per annotator, of the labels given with a suggestion shown: the share that kept the
  suggestion (accepted with a key, or the same label chosen by hand) and the share that
  corrected it;
- a warning for rubber-stamping: an annotator who kept the suggestion at least RUBBER_CASES
  times while the strict majority of the other annotators of that paragraph chose another
  label, and that in at least RUBBER_SHARE of the kept suggestions others also labelled.

Suggestions are compared as stored now: a paragraph re-suggested since (a new model version)
may differ from what its annotators saw. One query for the annotations and one for the log.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from labels.models import Annotation, Assignment, Project
from labels.review import agreement
from labels.suggestions import visibility

RUBBER_CASES = 3
RUBBER_SHARE = 0.1


@dataclass
class GroupAgreement:
    paragraphs: int = 0
    alpha: float | None = None
    alpha_reason: str | None = None
    unanimous: float | None = None
    same_as_suggestion: float | None = None


@dataclass
class AnnotatorHonesty:
    username: str
    shown: int = 0  # labels given with a suggestion shown
    kept: int = 0  # ... equal to the suggestion (accepted, or chosen by hand)
    accepted: int = 0  # ... of those, accepted with a / Shift+A
    corrected: int = 0  # ... another label than the suggestion
    compared: int = 0  # kept suggestions on paragraphs that other annotators labelled too
    against_majority: int = 0  # ... where the strict majority of the others chose otherwise

    @property
    def kept_share(self) -> float | None:
        return self.kept / self.shown if self.shown else None

    @property
    def corrected_share(self) -> float | None:
        return self.corrected / self.shown if self.shown else None

    @property
    def rubber_stamping(self) -> bool:
        return (
            self.against_majority >= RUBBER_CASES
            and self.against_majority >= RUBBER_SHARE * max(self.compared, 1)
        )


@dataclass
class HonestyReport:
    with_suggestion: GroupAgreement
    without_suggestion: GroupAgreement
    mixed: int
    annotators: list[AnnotatorHonesty] = field(default_factory=list)

    @property
    def warnings(self) -> list[AnnotatorHonesty]:
        return [row for row in self.annotators if row.rubber_stamping]


def honesty_report(*, project: Project) -> HonestyReport:
    """The figures of the module docstring for the project's submitted work."""
    timeline = visibility.Timeline(project=project)
    by_paragraph: dict[int, list[tuple[int, str, str, bool, bool]]] = defaultdict(list)
    names: dict[int, str] = {}
    for paragraph_id, user_id, username, label, suggested, accepted, created in (
        Annotation.objects.filter(
            assignment__article__project=project, assignment__status=Assignment.Status.SUBMITTED
        )
        .order_by()
        .values_list(
            "paragraph_id",
            "assignment__annotator_id",
            "assignment__annotator__username",
            "label__value",
            "paragraph__suggested_label",
            "from_suggestion",
            "created_at",
        )
        .iterator(chunk_size=10_000)
    ):
        names[user_id] = username
        shown = accepted or (bool(suggested) and timeline.shown_at(created))
        by_paragraph[paragraph_id].append((user_id, label, suggested, shown, accepted))

    people = {pk: AnnotatorHonesty(username=name) for pk, name in names.items()}
    groups: dict[bool, list[list[str]]] = {True: [], False: []}
    same: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    mixed = 0
    for rows in by_paragraph.values():
        for user_id, label, suggested, shown, accepted in rows:
            if not shown:
                continue
            person = people[user_id]
            person.shown += 1
            if label == suggested:
                person.kept += 1
                person.accepted += int(accepted)
                others = Counter(other for uid, other, *_ in rows if uid != user_id)
                if others:
                    person.compared += 1
                    top, votes = others.most_common(1)[0]
                    if top != label and 2 * votes > sum(others.values()):
                        person.against_majority += 1
            else:
                person.corrected += 1
        flags = {shown for _, _, _, shown, _ in rows}
        if len(flags) > 1:
            mixed += 1
            continue
        shown = flags.pop()
        if len(rows) >= 2:
            groups[shown].append([label for _, label, *_ in rows])
        suggested = rows[0][2]
        if suggested:
            same[shown][0] += sum(label == suggested for _, label, *_ in rows)
            same[shown][1] += len(rows)
    return HonestyReport(
        with_suggestion=_group(groups[True], same[True]),
        without_suggestion=_group(groups[False], same[False]),
        mixed=mixed,
        annotators=sorted(people.values(), key=lambda row: row.username),
    )


def _group(units: list[list[str]], same: list[int]) -> GroupAgreement:
    result = GroupAgreement(paragraphs=len(units))
    if same[1]:
        result.same_as_suggestion = same[0] / same[1]
    if not units:
        return result
    labels = sorted({label for unit in units for label in unit})
    column = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(units), len(labels)), dtype=np.int64)
    for row, unit in enumerate(units):
        for label in unit:
            counts[row, column[label]] += 1
    estimate = agreement.krippendorff_alpha_nominal(counts)
    result.alpha, result.alpha_reason = estimate.value, estimate.reason
    result.unanimous = sum(len(set(unit)) == 1 for unit in units) / len(units)
    return result
