"""Template filters for safe display of imported data and project text."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.utils.safestring import mark_safe

from labels.workflow.guidelines import render_guidelines

register = template.Library()


@register.filter
def http_url(value: str) -> str:
    """The url if it is an absolute http(s) url, else an empty string (no javascript: links)."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return value
    return ""


@register.filter
def guidelines_html(text: str) -> str:
    """A project's Markdown guidelines as sanitised HTML (see labels.workflow.guidelines)."""
    # Safe to mark: markdown-it ran with raw HTML off and nh3 sanitised its output.
    return mark_safe(render_guidelines(text or ""))


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss past an hour)."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
