"""How a paragraph sat on its page, for the labelling screen: the cues a reader uses to tell a
caption or a menu from body text.

HTML imports keep the owning element's tag and the page regions around it in
``Paragraph.meta`` (``tag``, ``heading_level``, ``in``; see labels/ingest/webpages.py). Text
and JSONL imports usually have none, and then the row shows no cue at all.
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
    classes: list[str] = []
    markers: list[str] = []
    level = meta.get("heading_level")
    if isinstance(level, int) and 1 <= level <= 6:
        classes += ["s-heading", f"s-h{level}"]
    elif tag == "li":
        classes.append("s-li")
    elif tag in {"dt", "dd"}:
        classes.append(f"s-{tag}")
    if tag in TAG_WORDS:
        classes.append(f"s-{tag}")
        markers.append(TAG_WORDS[tag])
    regions = meta.get("in")
    if isinstance(regions, list):
        for region in regions:
            word = REGION_WORDS.get(str(region))
            if word and word not in markers:
                markers.append(word)
                classes.append(f"in-{word}")
    return Cues(" ".join(classes), tuple(markers))
