"""Template filters of the reviewers' control room.

``voice_cells`` renders one paragraph's annotator columns in Python: the article view of a
long article has thousands of cells, and a template loop costs several times more per cell
(bench/bench_control_room.py, the article view row). Every value is escaped by format_html.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_EMPTY = mark_safe('<td><span class="muted">–</span></td>')  # a constant, no user data


@lru_cache(maxsize=256)
def _chip(value: str, colour: str, name: str) -> SafeString:
    return format_html(
        '<td><span class="chip label-{} colour-{}">{}</span></td>', value, colour, name
    )


@register.filter
def voice_cells(cells: list) -> SafeString:
    """One <td> per annotator: their label as a chip, or a dash."""
    return mark_safe(  # noqa: S308 - every part comes from format_html above
        "".join(
            _EMPTY if label is None else _chip(label.value, label.colour, label.name)
            for label in cells
        )
    )
