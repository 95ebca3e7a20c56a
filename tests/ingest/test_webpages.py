"""labels.webpages: raw news HTML → one ParsedArticle. Pure, no database."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labels.ingest.parsing import ParsedArticle, ParseError
from labels.ingest.webpages import body_coverage, decode_html, parse_html

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CNN = "ef4e67b66d63b5facef55c06a94d85f2ae01a0a1a4a3a1bcfe2499c8c8a7dacf"
ENTERMEDIA = "0ec95c7261d122f304728e90c983450ef1ce1e0b423546835c397d50aaf0d0f2"


def article_from(html: str | bytes, *, file: str = "page.html") -> ParsedArticle:
    data = html.encode("utf-8") if isinstance(html, str) else html
    [article] = parse_html(data, file=file)
    return article


def texts_of(html: str | bytes) -> list[str]:
    return [paragraph.text for paragraph in article_from(html).paragraphs]


def only_paragraph(html: str) -> tuple[str, dict]:
    [paragraph] = article_from(html).paragraphs
    return paragraph.text, paragraph.meta


# Segmentation


@pytest.mark.parametrize(
    ("html", "tag"),
    [
        ("<p>Body text</p>", "p"),
        ("<h1>Body text</h1>", "h1"),
        ("<h2>Body text</h2>", "h2"),
        ("<h3>Body text</h3>", "h3"),
        ("<h4>Body text</h4>", "h4"),
        ("<h5>Body text</h5>", "h5"),
        ("<h6>Body text</h6>", "h6"),
        ("<ul><li>Body text</li></ul>", "li"),
        ("<blockquote>Body text</blockquote>", "blockquote"),
        ("<figure><img src=x.jpg><figcaption>Body text</figcaption></figure>", "figcaption"),
        ("<pre>Body text</pre>", "pre"),
        ("<table><tr><td>Body text</td></tr></table>", "td"),
        ("<table><tr><th>Body text</th></tr></table>", "th"),
        ("<dl><dt>Body text</dt></dl>", "dt"),
        ("<dl><dd>Body text</dd></dl>", "dd"),
        ("<table><caption>Body text</caption><tr><td></td></tr></table>", "caption"),
        ("<section>Body text</section>", "section"),
        ("<article>Body text</article>", "article"),
        ("<main>Body text</main>", "main"),
        ("<aside>Body text</aside>", "aside"),
        ("<address>Body text</address>", "address"),
    ],
)
def test_each_block_element_is_a_paragraph_tagged_with_its_name(html: str, tag: str) -> None:
    text, meta = only_paragraph(f"<html><body>{html}</body></html>")

    assert text == "Body text"
    assert meta["tag"] == tag


def test_sibling_blocks_become_separate_paragraphs_in_document_order() -> None:
    html = "<h1>Title</h1><p>First.</p><ul><li>One</li><li>Two</li></ul><p>Last.</p>"

    assert texts_of(html) == ["Title", "First.", "One", "Two", "Last."]


def test_text_directly_in_div_becomes_a_paragraph() -> None:
    text, meta = only_paragraph('<div class="zn-body__paragraph">Said the <b>president</b>.</div>')

    assert text == "Said the president."
    assert meta["tag"] == "div"


def test_text_around_a_nested_block_splits_into_paragraphs_in_document_order() -> None:
    assert texts_of("<div>Before <p>Inside</p> after</div>") == ["Before", "Inside", "after"]


def test_text_in_span_only_containers_stays_one_paragraph() -> None:
    html = "<div><span>One</span> <span><em>two</em></span><span>, three</span></div>"

    assert texts_of(html) == ["One two, three"]


def test_text_directly_in_body_becomes_a_paragraph() -> None:
    text, meta = only_paragraph("<html><body>Loose text</body></html>")

    assert text == "Loose text"
    assert meta["tag"] == "body"


def test_double_br_splits_bare_text_into_paragraphs() -> None:
    html = "<td>First paragraph.<br><br>Second <b>one</b>.<br/><br/>\n<br>Third.</td>"

    assert texts_of(html) == ["First paragraph.", "Second one.", "Third."]


def test_double_br_separated_only_by_whitespace_and_empty_markup_still_splits() -> None:
    assert texts_of("<div>One<br> <span> </span> <br>Two</div>") == ["One", "Two"]


def test_single_br_is_a_space_inside_the_paragraph() -> None:
    assert texts_of("<p>Line one<br>line two</p>") == ["Line one line two"]


def test_trailing_double_br_makes_no_empty_paragraph() -> None:
    assert texts_of("<div>Only text<br><br></div><div><br><br></div>") == ["Only text"]


def test_a_list_item_containing_a_paragraph_yields_its_text_once() -> None:
    text, meta = only_paragraph("<ul><li><p>Once only</p></li></ul>")

    assert text == "Once only"
    assert meta["tag"] == "p"


def test_deeply_nested_blocks_yield_each_text_once() -> None:
    html = "<blockquote><div><p>Quoted</p></div></blockquote><figure><figcaption><p>Cap</p></figcaption></figure>"

    assert texts_of(html) == ["Quoted", "Cap"]


@pytest.mark.parametrize(
    "dropped",
    [
        "<script>var secret = 'script text';</script>",
        '<script type=\'application/ld+json\'>{"secret": "script text"}</script>',
        "<style>.secret { content: 'script text' }</style>",
        "<noscript>script text</noscript>",
        "<template><p>script text</p></template>",
        "<svg><title>script text</title><text>script text</text></svg>",
        "<math><mi>script text</mi></math>",
        "<iframe>script text</iframe>",
        "<select><option>script text</option></select>",
        "<button>script text</button>",
        "<input value='script text'>",
        "<textarea>script text</textarea>",
        "<object>script text</object>",
    ],
)
def test_non_text_elements_never_become_text(dropped: str) -> None:
    assert texts_of(f"<div>{dropped}</div><p>Kept</p>") == ["Kept"]


def test_text_after_a_dropped_element_is_kept_in_its_paragraph() -> None:
    assert texts_of("<p>Before <script>x()</script>after</p>") == ["Before after"]


def test_head_content_never_becomes_a_paragraph() -> None:
    html = "<html><head><title>Page title</title><style>p{}</style></head><body><p>Body</p></body></html>"

    assert texts_of(html) == ["Body"]


def test_comments_and_processing_instructions_never_become_text() -> None:
    html = "<p>Kept<!-- a comment --> text</p><!--[if IE]><p>Old IE</p><![endif]--><?php echo 1; ?>"

    assert texts_of(html) == ["Kept text"]


def test_whitespace_is_collapsed_and_ends_stripped() -> None:
    assert texts_of("<p>\n   Many \t\r\n  spaces&nbsp; here  \n</p>") == ["Many spaces here"]


def test_blocks_with_only_whitespace_are_dropped() -> None:
    assert texts_of("<p> </p><div>\n\t</div><li>&nbsp;</li><p>Text</p>") == ["Text"]


def test_pre_keeps_its_line_breaks() -> None:
    assert texts_of("<pre>\n    line one\n      indented  \n\n    line three\n</pre>") == [
        "line one\n  indented\n\nline three"
    ]


# Paragraph metadata


def test_paragraph_meta_records_tag_path_link_density_and_regions() -> None:
    html = (
        '<body><article id="main"><div class="story-body extra"><p>Read <a href="/x">this</a> now'
        "</p></div></article></body>"
    )

    _, meta = only_paragraph(html)

    assert meta == {
        "tag": "p",
        "path": "html>body>article#main>div.story-body>p",
        "link_density": 0.364,  # "this" is 4 of the 11 non-space characters
        "in": [],
    }


def test_path_keeps_at_most_four_ancestors_and_truncates_class_names() -> None:
    html = (
        "<div><section><div class='a-very-long-class-name-from-a-css-in-js-library'>"
        "<div><div><p>Deep</p></div></div></div></section></div>"
    )

    _, meta = only_paragraph(html)

    assert meta["path"] == "section>div.a-very-long-class-na>div>div>p"


def test_link_density_is_one_for_link_only_paragraphs() -> None:
    _, meta = only_paragraph('<li><a href="/a">Home</a></li>')

    assert meta["link_density"] == 1.0


@pytest.mark.parametrize(
    ("html", "regions"),
    [
        ("<header><p>x</p></header>", ["header"]),
        ("<nav><ul><li>x</li></ul></nav>", ["nav"]),
        ("<footer><div><p>x</p></div></footer>", ["footer"]),
        ("<aside><p>x</p></aside>", ["aside"]),
        ("<figure><figcaption>x</figcaption></figure>", ["figure"]),
        ("<div role='navigation'><p>x</p></div>", ["nav"]),
        ("<div role='banner'><p>x</p></div>", ["header"]),
        ("<div role='contentinfo'><p>x</p></div>", ["footer"]),
        ("<div role='complementary'><p>x</p></div>", ["aside"]),
        ("<footer><nav role='navigation'><p>x</p></nav></footer>", ["footer", "nav"]),
        ("<main><article><p>x</p></article></main>", []),
    ],
)
def test_in_lists_the_page_regions_holding_the_paragraph(html: str, regions: list[str]) -> None:
    _, meta = only_paragraph(html)

    assert meta["in"] == regions


def test_headings_carry_their_level_and_other_blocks_do_not() -> None:
    paragraphs = article_from("<h3>Sub</h3><p>Text</p>").paragraphs

    assert paragraphs[0].meta["heading_level"] == 3
    assert "heading_level" not in paragraphs[1].meta


# Article fields


def test_article_fields_come_from_the_page_head() -> None:
    html = """<html lang="en-GB"><head>
      <title>Ignored | Site</title>
      <meta property="og:title" content="  Plague   in Beijing ">
      <link rel="canonical" href="https://www.bbc.com/news/world-50465393">
      <meta property="article:published_time" content="2019-11-18T19:09:22+00:00">
    </head><body><p>Body</p></body></html>"""

    article = article_from(html, file="imports/2019/bbc-plague.html")

    assert article.external_id == "bbc-plague"
    assert article.title == "Plague in Beijing"
    assert article.url == "https://www.bbc.com/news/world-50465393"
    assert article.source == "www.bbc.com"
    assert article.meta == {
        "published": "2019-11-18T19:09:22+00:00",
        "lang": "en-GB",
        "format": "html",
    }
    assert article.line == 1


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        ('<meta property="og:title" content="OG"><title>Title</title>', "<h1>H1</h1>", "OG"),
        ("<title>\n  The   title\n</title>", "<h1>H1</h1>", "The title"),
        ("", "<svg><title>Close icon</title></svg><h1>Headline</h1>", "Headline"),
        ("", "<p>Intro</p><h1>The  <em>headline</em></h1>", "The headline"),
        ("<title> </title>", "<p>First paragraph</p>", "First paragraph"),
    ],
)
def test_title_falls_back_from_og_title_to_title_to_first_h1(
    head: str, body: str, title: str
) -> None:
    article = article_from(f"<html><head>{head}</head><body>{body}</body></html>")

    assert article.title == title


@pytest.mark.parametrize(
    ("head", "url", "source"),
    [
        (
            '<link rel="canonical" href="https://example.com/a"><meta property="og:url" content="https://og.example/b">',
            "https://example.com/a",
            "example.com",
        ),
        (
            '<meta property="og:url" content="http://Og.Example:8080/b">',
            "http://Og.Example:8080/b",
            "og.example",
        ),
        (
            '<link rel="canonical" href="/relative/path"><meta property="og:url" content="https://og.example/b">',
            "https://og.example/b",
            "og.example",
        ),
        ('<link rel="canonical" href="javascript:alert(1)">', "", ""),
        ('<link rel="canonical" href="ftp://example.com/file">', "", ""),
        ('<link rel="canonical" href="https://">', "", ""),
        ("", "", ""),
    ],
)
def test_url_comes_from_canonical_then_og_url_and_must_be_http(
    head: str, url: str, source: str
) -> None:
    article = article_from(f"<html><head>{head}</head><body><p>Body</p></body></html>")

    assert (article.url, article.source) == (url, source)


@pytest.mark.parametrize(
    ("html", "published"),
    [
        (
            '<meta property="article:published_time" content="2019-11-18"><time datetime="2019-11-20">x</time>',
            "2019-11-18",
        ),
        (
            '<meta itemprop="datePublished dateCreated" content="2019-11-19T13:03:00Z">',
            "2019-11-19T13:03:00Z",
        ),
        ('<meta name="pubdate" content="20191119">', "20191119"),
        ('<meta name="DC.date.issued" content="2019-11-19">', "2019-11-19"),
        (
            '<p>By a reporter <time datetime=" 2019-11-20T05:52:20-05:00 ">Nov 20</time></p>',
            "2019-11-20T05:52:20-05:00",
        ),
        ("<time>No datetime attribute</time>", ""),
    ],
)
def test_published_comes_from_date_metas_then_the_first_time_element(
    html: str, published: str
) -> None:
    article = article_from(f"<html><body>{html}<p>Body</p></body></html>")

    assert article.meta["published"] == published


def test_missing_page_metadata_is_empty_strings() -> None:
    article = article_from("<p>Only a paragraph</p>", file="bare.htm")

    assert (article.url, article.source) == ("", "")
    assert article.meta == {"published": "", "lang": "", "format": "html"}
    assert article.external_id == "bare"


# Encodings


def test_utf8_with_a_bom_decodes_and_drops_the_bom() -> None:
    assert texts_of(codecs.BOM_UTF8 + "<p>Café</p>".encode()) == ["Café"]


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_with_a_bom_decodes(bom: bytes, codec: str) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Ünïcode 日本</p></body></html>'

    assert texts_of(bom + html.encode(codec)) == ["Ünïcode 日本"]


def test_windows_1252_declared_by_meta_charset_decodes() -> None:
    data = '<meta charset="windows-1252"><p>“Café” – 5 €</p>'.encode("cp1252")

    assert texts_of(data) == ["“Café” – 5 €"]


def test_windows_1252_declared_by_http_equiv_decodes() -> None:
    data = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Windows-1252">'
        "</head><body><p>naïve façade</p></body></html>"
    ).encode("cp1252")

    assert texts_of(data) == ["naïve façade"]


def test_latin1_declared_decodes_as_windows_1252_like_browsers_do() -> None:
    data = '<meta charset="iso-8859-1"><p>\x93quoted\x94</p>'.encode("latin-1")

    assert texts_of(data) == ["“quoted”"]


def test_shift_jis_declared_decodes() -> None:
    data = '<meta charset="Shift_JIS"><p>日本語のニュース記事です。</p>'.encode("shift_jis")

    assert texts_of(data) == ["日本語のニュース記事です。"]


def test_undeclared_non_utf8_is_an_error_naming_the_line() -> None:
    data = "<html>\n<body>\n<p>ok</p>\n<p>caf\xe9</p>\n</body></html>".encode("cp1252")

    with pytest.raises(ParseError) as caught:
        parse_html(data, file="legacy.html")

    assert caught.value.line == 4
    assert str(caught.value) == (
        "legacy.html:4: not valid UTF-8 (bytes e9) and no charset is declared in the first 4 KB"
    )


def test_bytes_invalid_in_the_declared_encoding_are_an_error_naming_encoding_and_line() -> None:
    data = b'<meta charset="windows-1252">\n<p>undefined byte \x81</p>'

    with pytest.raises(ParseError, match=r"^page\.html:2: not valid windows-1252 \(bytes 81\)$"):
        parse_html(data, file="page.html")


def test_an_error_under_a_browser_substituted_encoding_names_both() -> None:
    data = b'<meta charset="iso-8859-1">\n<p>\x81</p>'

    with pytest.raises(
        ParseError, match=r"^page\.html:2: not valid iso-8859-1 \(bytes 81; decoded as cp1252\)$"
    ):
        parse_html(data, file="page.html")


def test_utf16_that_does_not_decode_is_an_error_naming_the_line() -> None:
    data = codecs.BOM_UTF16_LE + "<p>one</p>\n<p>two".encode("utf-16-le") + b"\x00\xd8"

    with pytest.raises(ParseError, match=r"^page\.html:2: not valid UTF-16-LE"):
        parse_html(data, file="page.html")


def test_unknown_declared_charset_is_an_error_naming_the_meta_line() -> None:
    data = b'<html>\n<head>\n<meta charset="klingon-8">\n</head><body><p>x</p></body></html>'

    with pytest.raises(ParseError) as caught:
        parse_html(data, file="page.html")

    assert (
        str(caught.value)
        == "page.html:3: unknown character encoding 'klingon-8' declared in <meta>"
    )


@pytest.mark.parametrize("label", ["utf-7", "unicode_escape", "base64", "rot13"])
def test_charsets_browsers_do_not_support_are_refused_as_unknown(label: str) -> None:
    with pytest.raises(ParseError, match="unknown character encoding"):
        parse_html(f'<meta charset="{label}"><p>+ADw-script+AD4-</p>'.encode(), file="page.html")


def test_a_meta_declaring_utf16_on_an_ascii_readable_page_means_utf8() -> None:
    assert texts_of('<meta charset="utf-16"><p>Grüße</p>'.encode()) == ["Grüße"]


def test_a_charset_declared_after_the_first_4_kb_is_not_honoured() -> None:
    data = b"<p>" + b"x" * 5000 + b'</p><meta charset="windows-1252"><p>caf\xe9</p>'

    with pytest.raises(ParseError, match="not valid UTF-8"):
        parse_html(data, file="page.html")


def test_a_charset_inside_a_comment_or_script_is_not_a_declaration() -> None:
    data = '<!-- <meta charset="windows-1252"> --><script>"<meta charset=koi8-r>"</script><p>é</p>'

    assert decode_html(data.encode(), file="page.html").endswith("<p>é</p>")


# Malicious HTML


def test_script_content_and_event_handlers_never_become_text() -> None:
    html = """<body onload="steal()">
      <p onclick="steal()">Hello <img src=x onerror="alert('xss')"> world</p>
      <script>alert("xss")</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>
      <p><a href="javascript:alert('xss')">Click me</a></p>
    </body>"""

    texts = texts_of(html)

    assert texts == ["Hello world", "Click me"]
    assert not any("alert" in text or "steal" in text or "javascript" in text for text in texts)


def test_escaped_markup_stays_literal_inert_text() -> None:
    assert texts_of("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == ["<script>alert(1)</script>"]


def test_billion_laughs_entities_are_not_expanded() -> None:
    lol = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    data = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]>\n<lolz><p>&lol9;</p></lolz>'

    texts = texts_of(data)

    assert "&lol9;" in texts
    assert sum(len(text) for text in texts) < 100


def test_external_entities_are_not_resolved() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<!DOCTYPE foo [<!ELEMENT foo ANY><!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]>\n'
        "<foo><p>&xxe;</p></foo>"
    )

    texts = texts_of(data)

    assert "&xxe;" in texts
    assert not any("root:" in text for text in texts)


def test_nul_is_refused_with_its_line_like_every_other_format() -> None:
    html = "<html><head><title>Title</title></head>\n<body><p>a\x00b</p></body></html>"

    with pytest.raises(ParseError, match=r"^nul\.html:2: text: contains NUL \(U\+0000\)"):
        parse_html(html.encode(), file="nul.html")


@pytest.mark.parametrize("reference", ["&#xFFFE;", "&#xFDD0;", "&#x10FFFF;"])
def test_a_non_character_from_a_character_reference_is_refused(reference: str) -> None:
    html = f"<title>T</title><p>ok</p><p>a{reference}b</p>"

    with pytest.raises(
        ParseError, match=r"^ref\.html:1: paragraphs\[1\]: contains the Unicode non"
    ):
        parse_html(html.encode(), file="ref.html")


def test_markup_nested_200_deep_is_walked() -> None:
    html = "<div>" * 200 + "<p>Deep</p>" + "</div>" * 200 + "<p>After</p>"

    assert texts_of(html) == ["Deep", "After"]


def test_markup_nested_past_the_parser_limit_is_an_error_not_a_truncated_page() -> None:
    html = "<p>Start</p>\n" + "<div>" * 5000 + "<p>Deep</p>" + "</div>" * 5000 + "<p>After</p>"

    with pytest.raises(
        ParseError, match=r"^deep\.html:2: the HTML parser stopped here \(Excessive depth"
    ):
        parse_html(html.encode(), file="deep.html")


def test_a_text_run_past_the_parser_limit_is_an_error_not_a_truncated_page() -> None:
    with pytest.raises(ParseError, match="the HTML parser stopped here"):
        parse_html(b"<p>" + b"x" * 11_000_000 + b"</p>", file="huge.html")


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(alphabet="<>/=\"' &;#!-?abpdivlbrscript\x00\n", max_size=200).map(str.encode)
)
def test_any_input_gives_clean_paragraphs_or_a_parse_error(data: bytes) -> None:
    try:
        [article] = parse_html(data, file="fuzz.html")
    except ParseError:
        return
    assert article.paragraphs
    for paragraph in article.paragraphs:
        assert paragraph.text and paragraph.text == paragraph.text.strip()
        assert "\x00" not in paragraph.text


# Empty input


@pytest.mark.parametrize("data", [b"", b"   \n\t", codecs.BOM_UTF8])
def test_empty_file_is_an_error(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^empty\.html:1: empty file: no paragraphs$"):
        parse_html(data, file="empty.html")


@pytest.mark.parametrize("data", [b"<!-- only a comment -->", b"<!DOCTYPE html>"])
def test_markup_without_any_element_is_a_no_paragraphs_error(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^blank\.html:1: no paragraphs"):
        parse_html(data, file="blank.html")


def test_page_without_visible_text_is_an_error() -> None:
    html = "<html><head><title>T</title></head><body><script>x()</script><p> </p><img src=a></body></html>"

    with pytest.raises(ParseError, match=r"^blank\.html:1: no paragraphs"):
        parse_html(html.encode(), file="blank.html")


# Coverage measure and the real-news corpus


def test_body_coverage_counts_reference_lines_found_ignoring_whitespace() -> None:
    body = "Arte mis m oon landing.\n\nA line we lost entirely.\nSecond  half"

    coverage = body_coverage(["Artemis moon", "landing.", "First half Second half"], body)

    found = len("Artemismoonlanding.") + len("Secondhalf")
    assert coverage == pytest.approx(found / (found + len("Alinewelostentirely.")))


def test_body_coverage_of_an_empty_reference_is_full() -> None:
    assert body_coverage([], " \n\n ") == 1.0


def test_body_coverage_gives_no_partial_credit_for_a_truncated_line() -> None:
    assert body_coverage(["The first half"], "The first half of the line") == 0.0


@pytest.fixture(scope="module")
def corpus_coverage() -> dict[str, float]:
    coverage = {}
    for line in (CORPUS / "ground_truth.jsonl").read_text("utf-8").splitlines():
        page = json.loads(line)
        path = CORPUS / "html" / f"{page['id']}.html"
        [article] = parse_html(path.read_bytes(), file=path.name)
        paragraphs = [paragraph.text for paragraph in article.paragraphs]
        coverage[page["id"]] = body_coverage(paragraphs, page["article_body"])
    return coverage


def test_at_least_38_of_40_corpus_pages_keep_97_percent_of_their_reference_body(
    corpus_coverage: dict[str, float],
) -> None:
    short = {page[:12]: round(value, 3) for page, value in corpus_coverage.items() if value < 0.97}

    assert len(corpus_coverage) == 40
    assert len(corpus_coverage) - len(short) >= 38, short


@pytest.mark.parametrize("page", [CNN, ENTERMEDIA], ids=["cnn-body-in-divs", "entermedia-br-br"])
def test_pages_with_body_outside_p_reach_97_percent(
    corpus_coverage: dict[str, float], page: str
) -> None:
    assert corpus_coverage[page] >= 0.97


def test_entermedia_bare_text_splits_into_one_paragraph_per_reference_paragraph() -> None:
    path = CORPUS / "html" / f"{ENTERMEDIA}.html"
    reference = next(
        json.loads(line)
        for line in (CORPUS / "ground_truth.jsonl").read_text("utf-8").splitlines()
        if json.loads(line)["id"] == ENTERMEDIA
    )
    imported = {paragraph.text for paragraph in article_from(path.read_bytes()).paragraphs}

    expected = [" ".join(block.split()) for block in reference["article_body"].split("\n\n")]
    assert [block for block in expected if block not in imported] == []
    assert len(expected) == 14
