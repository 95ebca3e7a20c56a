"""Bidirectional isolation of user-supplied text (titles, ids, URLs, paragraphs, notes, names).

Imported text may hold right-to-left overrides (U+202E) and other directional controls. Shown
inline next to interface text, an unterminated override reverses the interface text after it
("flagged by ‮alice · paragraph 3" would read backwards past the name). Every such value is
shown isolated: ``|bdi`` wraps it in ``<bdi>`` in HTML, ``|isolate`` in the Unicode isolate
characters FSI … PDI where no element can go (the page title, flash messages). Either way
the value keeps its own direction and cannot reorder anything around it.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


@register.filter
def bdi(value: object) -> SafeString:
    """The value escaped (unless already safe HTML) inside a ``<bdi>`` element."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def isolate(value: object) -> str:
    """The value between FSI and PDI, for plain-text places (escaped by the template as usual)."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"
