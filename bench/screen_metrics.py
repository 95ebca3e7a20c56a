"""What the labelling screen looks like to an annotator, measured in a real browser page.

Shared by the browser tests (tests/e2e/test_labelling_screen.py) and ``make bench``
(bench/bench_labelling_screen.py), so both count the same thing. Takes a Playwright page.
"""

from __future__ import annotations

import statistics

# Rows wholly inside the part of the viewport the sticky article header does not cover.
VISIBLE_ROWS_JS = """() => {
  const head = document.getElementById('article-head');
  const top = head ? Math.max(0, head.getBoundingClientRect().bottom) : 0;
  const bottom = window.innerHeight;
  return Array.from(document.querySelectorAll('#paragraphs > li.paragraph')).filter((row) => {
    const rect = row.getBoundingClientRect();
    return rect.height > 0 && rect.top >= top - 1 && rect.bottom <= bottom + 1;
  }).length;
}"""

# Keydown to the frame after the handlers ran: a requestAnimationFrame callback runs just
# before the next paint, and a message posted from it is delivered once that frame painted.
PAINT_PROBE_JS = """() => {
  window.__paint = [];
  if (window.__paintProbe) return;
  window.__paintProbe = true;
  window.addEventListener('keydown', (event) => {
    const start = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => window.__paint.push(performance.now() - start);
      channel.port2.postMessage(0);
    });
  }, true);
}"""


def visible_paragraphs(page: object) -> int:
    """Paragraph rows fully visible below the sticky header, as the page first shows."""
    return page.evaluate(VISIBLE_ROWS_JS)


def keypress_to_paint(page: object, keys: list[str]) -> list[float]:
    """Milliseconds from each keydown to the painted frame after it, one per key pressed."""
    page.evaluate(PAINT_PROBE_JS)
    for done, key in enumerate(keys, start=1):
        page.keyboard.press(key)
        page.wait_for_function("n => window.__paint.length >= n", arg=done)
    return list(page.evaluate("window.__paint"))


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95
