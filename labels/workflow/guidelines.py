"""PURE: a project's guidelines (Markdown written by reviewers) as safe HTML.

Two independent layers: markdown-it renders with raw HTML disabled (HTML in the source shows
as text), then nh3 keeps only an allow-list of tags and attributes and only http(s) links.
Either alone would do today; both together survive a mistake in one of them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
# Images are left out on purpose: a remote image would tell its host who reads the guidelines.
_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def _only_http_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        try:
            parts = urlsplit(value.strip())
        except ValueError:
            return None
        return value if parts.scheme.lower() in {"http", "https"} and parts.netloc else None
    return value


def render_guidelines(text: str) -> str:
    """Markdown to sanitised HTML: no raw HTML, no scripts or styles, links only to http(s)."""
    if not text.strip():
        return ""
    html = _MARKDOWN.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_only_http_links,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
