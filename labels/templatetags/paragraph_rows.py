"""One row of the labelling page, rendered in Python.

Why not a template: an article of 10,000 paragraphs is 10,000 rows of about sixty template
nodes each. Django's template engine took 6 ms per row (a minute for the page); this tag
takes about 30 µs, because everything that is the same on every row (the label buttons, the
CSRF field, the URL shapes) is built once per page and only the row's own values are escaped
and joined. The markup is the one the ``paragraph`` partial of labels/annotate.html always
had; tests/views and tests/e2e read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from labels.models import Label, Paragraph
from labels.templatetags.structure_cues import structure_cues

register = template.Library()

_PLACEHOLDER = 987654321


@dataclass(frozen=True)
class _Kit:
    """What every row of one page shares."""

    labels: dict[str, Label]  # by value
    is_open: bool
    show_suggestions: bool
    csrf_field: str
    label_url: tuple[str, str]  # before and after the paragraph id
    accept_url: tuple[str, str]
    buttons: dict[int | None, str]  # the label buttons, by the chosen label's pk


def _url_around(name: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
    return before, after


def _buttons(labels: list[Label], chosen: Label | None, is_open: bool) -> str:
    parts = []
    for label in labels:
        picked = chosen is not None and chosen.pk == label.pk
        parts.append(
            f'<button type="submit" name="label" value="{escape(label.value)}" '
            f'data-key="{escape(label.key)}" class="label-button label-{escape(label.value)} colour-{escape(label.colour)}'
            f'{" chosen" if picked else ""}" aria-pressed="{"true" if picked else "false"}"'
            f"{'' if is_open else ' disabled'}><kbd>{escape(label.key)}</kbd> "
            f"{escape(label.name)}</button>"
        )
    return "".join(parts)


def _kit(context: template.Context) -> _Kit:
    cached = context.render_context.get(_Kit)
    if cached is not None:
        return cached
    labels: list[Label] = list(context["labels"])
    is_open = bool(context.get("is_open"))
    assignment = context["assignment"]
    request = context.get("request")
    token = get_token(request) if request is not None else str(context.get("csrf_token", ""))
    kit = _Kit(
        labels={label.value: label for label in labels},
        is_open=is_open,
        show_suggestions=bool(assignment.article.project.show_suggestions),
        csrf_field=f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">',
        label_url=_url_around("labels:set_label"),
        accept_url=_url_around("labels:accept_suggestion"),
        buttons={
            key: _buttons(labels, chosen, is_open)
            for key, chosen in [(None, None), *((label.pk, label) for label in labels)]
        },
    )
    context.render_context[_Kit] = kit
    return kit


def _text(value: str) -> str:
    return escape(value.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _suggestion(kit: _Kit, paragraph: Paragraph) -> str:
    label = kit.labels.get(paragraph.suggested_label)
    if label is None:
        return ""
    confidence = paragraph.suggestion_confidence
    share = (
        f' <span class="muted">({round(confidence * 100)}%)</span>'
        if confidence is not None
        else ""
    )
    before, after = kit.accept_url
    return (
        f'<form method="post" action="{before}{paragraph.pk}{after}" class="suggestion" data-write>'
        f"{kit.csrf_field}"
        f'<button type="submit" class="accept-suggestion label-{escape(label.value)} colour-{escape(label.colour)}" '
        f'data-accept-suggestion="{escape(label.value)}">Suggested: <strong>{escape(label.name)}'
        f'</strong>{share}<span class="key-hint"> · <kbd>a</kbd> accept</span></button></form>'
    )


@register.simple_tag(takes_context=True)
def paragraph_row(
    context: template.Context, paragraph: Paragraph, chosen: Label | None, oob: bool = False
) -> SafeString:
    """The ``<li>`` of one paragraph: label gutter and word, structure cues, text, the
    annotator's flag, the suggestion (when shown) and the label buttons as a real form."""
    kit = _kit(context)
    cues = structure_cues(paragraph.meta)
    flag = getattr(paragraph, "own_flag", None)
    number = paragraph.index + 1
    classes = "paragraph"
    if chosen is not None:
        classes += f" labelled label-{escape(chosen.value)} colour-{escape(chosen.colour)}"
    if flag is not None:
        classes += " flagged"
    if cues.classes:
        classes += " " + cues.classes
    state = f"labelled {escape(chosen.name)}" if chosen is not None else "not labelled"
    suggested = (
        f' data-suggested="{escape(paragraph.suggested_label)}"' if kit.show_suggestions else ""
    )
    markers = "".join(f'<span class="cue">{escape(word)}</span>' for word in cues.markers)
    note = ""
    if flag is not None:
        quoted = f': <q dir="auto">{escape(flag.note)}</q>' if flag.note else ""
        note = (
            f'<p class="flag-note"><span aria-hidden="true">⚑</span> Flagged as unsure{quoted}</p>'
        )
    offer = ""
    if kit.show_suggestions and kit.is_open and chosen is None and paragraph.suggested_label:
        offer = _suggestion(kit, paragraph)
    before, after = kit.label_url
    swap = ' hx-swap-oob="true"' if oob else ""
    return mark_safe(  # every value above is escaped or one of our own ints
        f'<li id="p{paragraph.pk}" class="{classes}" tabindex="-1" '
        f'data-paragraph="{paragraph.pk}" data-labelled="{1 if chosen is not None else 0}" '
        f'data-flagged="{1 if flag is not None else 0}"{suggested} '
        f'aria-label="Paragraph {number}, {state}{", flagged" if flag is not None else ""}"'
        f"{swap}>"
        f'<span class="index" aria-hidden="true">{number}</span>'
        f'<span class="label-word" aria-hidden="true">'
        f"{escape(chosen.name) if chosen is not None else '·'}</span>"
        f'<div class="cell">{markers}<p class="text" dir="auto">{_text(paragraph.text)}</p>'
        f"{note}{offer}</div>"
        f'<form method="post" action="{before}{paragraph.pk}{after}" class="label-buttons" '
        f"data-write>{kit.csrf_field}{kit.buttons[chosen.pk if chosen is not None else None]}"
        f"</form></li>"
    )
