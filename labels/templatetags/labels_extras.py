"""Template filters for safe display of imported data."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

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
