"""Template filters for agreement figures: a coefficient or a share, or "n/a" when undefined."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def coefficient(value: float | None, digits: int = 3) -> str:
    """A coefficient with ``digits`` decimals, or "n/a" when it is undefined (None)."""
    if value is None:
        return "n/a"
    return f"{value:.{int(digits)}f}"


@register.filter
def percent(value: float | None) -> str:
    """A share of 1 as a percentage with one decimal, or "n/a"."""
    if value is None:
        return "n/a"
    return f"{100 * value:.1f} %"
