"""How a paragraph sat on its page, for the labelling screen: the cues a reader uses to tell a
caption or a menu from body text.

HTML imports keep the owning element's tag, its short path (the element and up to four
ancestors) and the page regions around it in ``Paragraph.meta`` (``tag``, ``path``,
``heading_level``, ``in``; see labels/ingest/webpages.py). The path supplies what the tag alone
misses: a ``<p>`` inside a ``<blockquote>``, ``<li>`` or ``<figcaption>``. Text and JSONL
imports usually have none, and then the row shows no cue at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

register = template.Library()

# Region (landmark) names webpages.py records in meta["in"], and the word shown for each.
REGION_WORDS = {
    "nav": "nav",
    "header": "header",
    "footer": "footer",
    "aside": "aside",
    "figure": "figure",
}
# Tags whose role is the cue itself.
TAG_WORDS = {
    "figcaption": "caption",
    "blockquote": "quote",
    "pre": "code",
    "td": "table",
    "th": "table",
}


@dataclass(frozen=True)
class Cues:
    """CSS classes for the row and the short marker words shown before its text."""

    classes: str
    markers: tuple[str, ...]


@register.filter
def structure_cues(meta: object) -> Cues:
    """The cues of one paragraph's import meta; no cues for meta that is not ours."""
    if not isinstance(meta, dict):
        return Cues("", ())
    tag = str(meta.get("tag") or "").lower()
    path = meta.get("path")
    ancestors = set(_path_tags(path)[:-1]) if isinstance(path, str) else set()
    classes: list[str] = []
    markers: list[str] = []
    level = meta.get("heading_level")
    if isinstance(level, int) and 1 <= level <= 6:
        classes += ["s-heading", f"s-h{level}"]
    elif tag == "li" or "li" in ancestors:
        classes.append("s-li")
    elif tag in {"dt", "dd"}:
        classes.append(f"s-{tag}")
    for name in (tag, *sorted(ancestors & {"figcaption", "blockquote"})):
        word = TAG_WORDS.get(name)
        if word and word not in markers:
            classes.append(f"s-{name}")
            markers.append(word)
    regions = meta.get("in")
    if isinstance(regions, list):
        for region in regions:
            word = REGION_WORDS.get(str(region))
            if word and word not in markers:
                markers.append(word)
                classes.append(f"in-{word}")
    return Cues(" ".join(classes), tuple(markers))


def _path_tags(path: str) -> list[str]:
    """``article#main>blockquote.pull>p`` -> ``["article", "blockquote", "p"]``."""
    return [step.split("#", 1)[0].split(".", 1)[0].lower() for step in path.split(">")]
