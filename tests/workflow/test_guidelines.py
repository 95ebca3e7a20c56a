"""labels.guidelines: project guidelines as safe HTML (pure, no database)."""

import re

import pytest

from labels.workflow.guidelines import render_guidelines


def test_basic_markdown_renders():
    html = render_guidelines("# Title\n\n*em* and **strong**\n\n- one\n- two\n\n`code`")

    assert "<h1>Title</h1>" in html
    assert "<em>em</em> and <strong>strong</strong>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html


def test_tables_render():
    html = render_guidelines("| label | use |\n| --- | --- |\n| Body | text |")

    assert "<th>label</th>" in html
    assert "<td>Body</td>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<iframe src=https://evil.example></iframe>",
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(source):
    html = render_guidelines(source)

    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+=", html)  # no live tag with a handler
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox",
        "/relative/path",
        "//protocol-relative.example/x",
        "mailto:someone@example.org",
    ],
)
def test_only_http_links_survive(link):
    html = render_guidelines(f"[click]({link})")

    assert "href=" not in html
    assert "click" in html


def test_http_links_keep_their_target_and_get_a_safe_rel():
    html = render_guidelines("[guide](https://example.org/guide?a=1&b=2) [old](http://example.org)")

    assert 'href="https://example.org/guide?a=1&amp;b=2"' in html
    assert 'href="http://example.org"' in html
    assert html.count('rel="noopener noreferrer nofollow"') == 2


def test_images_are_dropped():
    assert "<img" not in render_guidelines("![tracking pixel](https://tracker.example/p.gif)")


def test_empty_guidelines_render_nothing():
    assert render_guidelines("") == ""
    assert render_guidelines("  \n ") == ""
