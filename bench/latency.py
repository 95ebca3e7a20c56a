"""Latency percentiles as the benchmark tables print them."""

from __future__ import annotations


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile (no interpolation), in the values' unit; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(percent / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def ms(values: list[float]) -> str:
    """ "p50 / p95 / p99 ms" of millisecond values."""
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95, 99)) + " ms"
