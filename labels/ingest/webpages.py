"""Turn a raw news web page into one ParsedArticle whose paragraphs are the page's visible text.

Pure: no Django, so it tests in microseconds. The page is decoded strictly (see
``decode_html``), parsed with lxml's recovering HTML parser and walked once in document order:
every block element (p, h1-h6, li, blockquote, figcaption, pre, td, div, section, ...) closes
the paragraph before it and starts a new one, and inline elements (a, span, b, ...) add their
text to the paragraph in progress. Two ``<br>`` in a row also end a paragraph, because some
sites (Entermedia) write the whole body as bare text between ``<br><br>``. The importer keeps
boilerplate on purpose: annotators label it, so nothing is filtered by content.

Nothing from the page is ever run or fetched: the parser has no network access, reads no DTD
and expands no entities but HTML's own (``&amp;``, ``&eacute;``), script/style/template/
form-control content never becomes text, and attributes (``onerror=``,
``href="javascript:..."``) are never copied into text.
"""

from __future__ import annotations

import codecs
import re
import textwrap
from itertools import islice
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from labels.ingest.parsing import (
    MAX_SOURCE_LENGTH,
    ParsedArticle,
    ParsedParagraph,
    ParseError,
    external_id_from,
    json_problem,
    text_problem,
    text_problem_line,
)

# Elements whose content is never visible text (or is code, or a form control's value).
DROPPED_TAGS = frozenset(
    {
        "applet", "audio", "button", "canvas", "datalist", "embed", "frame", "frameset",
        "head", "iframe", "input", "map", "math", "noembed", "noframes", "noscript", "object",
        "option", "optgroup", "script", "select", "style", "svg", "template", "textarea",
        "title", "video",
    }
)  # fmt: skip

# Elements that start and end a paragraph: the HTML block/flow containers.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "col",
        "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "p",
        "plaintext", "pre", "search", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul", "xmp",
    }
)  # fmt: skip

PREFORMATTED_TAGS = frozenset({"pre", "listing", "plaintext", "xmp"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
REGION_TAGS = frozenset({"header", "nav", "footer", "aside", "figure"})
REGION_ROLES = {
    "banner": "header",
    "navigation": "nav",
    "contentinfo": "footer",
    "complementary": "aside",
}

# Date metas, most specific first; keys are lowercased name/property/itemprop tokens. They come
# before <time datetime>, because on real pages the first <time> is often the "updated" stamp.
PUBLISHED_META_KEYS = (
    "article:published_time",
    "article:published",
    "article.published",
    "datepublished",
    "og:published_time",
    "og:pubdate",
    "published_time",
    "pubdate",
    "pub_date",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CHARSET_SNIFF_BYTES = 4096
NO_PARAGRAPHS = "no paragraphs: the page has no visible text"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Declared encodings we decode, keyed by Python's canonical codec name for the declared label,
# valued with the codec that decodes it the way browsers do (the WHATWG Encoding Standard maps
# latin1/ascii to windows-1252, Shift_JIS to Windows-31J, EUC-KR to windows-949, and a <meta>
# saying UTF-16 to UTF-8, since a page whose <meta> we could read as ASCII is not UTF-16).
# Anything else (utf-7, unicode_escape, base64, ...) is refused as unknown.
_DECODERS = {
    "utf-8": "utf-8",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "cp1252": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "cp932": "cp932",
    "euc_jp": "euc_jp",
    "iso2022_jp": "iso2022_jp",
    "euc_kr": "cp949",
    "cp949": "cp949",
    "gb2312": "gbk",
    "gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp866": "cp866",
    "koi8-r": "koi8-r",
    "koi8-u": "koi8-u",
    "mac-roman": "mac-roman",
    "mac-cyrillic": "mac-cyrillic",
    **{f"iso8859-{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
    **{f"cp{n}": f"cp{n}" for n in range(1250, 1259) if n != 1252},
}
# Common labels that Python's codec registry does not know.
_EXTRA_LABELS = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "windows-874": "cp874",
    "x-euc-jp": "euc_jp",
    "x-gbk": "gbk",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-8859-8-i": "iso8859-8",
}
_ENCODING_LABEL = re.compile(r"[A-Za-z0-9._:+-]+")
_CHARSET_IN_CONTENT = re.compile(r"charset\s*=\s*[\"']?\s*([^\s;\"']+)", re.IGNORECASE)


def parse_html(data: bytes, *, file: str) -> list[ParsedArticle]:
    """One article (in a list, like the other parsers) from the bytes of one web page.

    Raises ParseError for undecodable bytes, an unknown declared charset, a page with no
    visible text, or text the rule of labels.ingest.parsing refuses (NUL, lone surrogates,
    non-characters), whether written as such or as a character reference.
    """
    text = decode_html(data, file=file)
    problem = text_problem_line(text)
    if problem is not None:
        raise ParseError(file, problem[0], problem[1], field="text")
    if not text.strip():
        raise ParseError(file, 1, "empty file: no paragraphs")
    root = _parse_tree(text, file=file)
    paragraphs = _segment_paragraphs(root)
    if not paragraphs:
        raise ParseError(file, 1, NO_PARAGRAPHS)

    metas = _meta_contents(root)
    url = _canonical_url(root, metas)
    first_heading = next((p.text for p in paragraphs if p.meta["tag"] == "h1"), "")
    title = _collapse(metas.get("og:title", "")) or _title_text(root) or first_heading
    article = ParsedArticle(
        external_id=external_id_from(file),
        title=title or paragraphs[0].text,
        paragraphs=tuple(paragraphs),
        url=url,
        source=_host(url),
        meta={
            "published": _published(root, metas),
            "lang": (root.get("lang") or root.get(XML_LANG) or "").strip(),
            "format": "html",
        },
    )
    _check_decoded(article, file=file)
    return [article]


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:  # e.g. an invalid IPv6 literal in a canonical link
        return ""
    return host if len(host) <= MAX_SOURCE_LENGTH else ""


def _check_decoded(article: ParsedArticle, *, file: str) -> None:
    # Character references (&#xFFFE;) reach the text only after parsing; the rule still holds.
    fields = [("title", article.title), ("url", article.url), ("source", article.source)]
    fields += [(f"paragraphs[{i}]", p.text) for i, p in enumerate(article.paragraphs)]
    for field, value in fields:
        problem = text_problem(value)
        if problem:
            raise ParseError(file, article.line, problem, field=field)
    problem_at = json_problem(article.meta, field="meta")
    if problem_at is not None:
        raise ParseError(file, article.line, problem_at[1], field=problem_at[0])


def decode_html(data: bytes, *, file: str) -> str:
    """The page as text: by BOM, else by a <meta> charset in the first 4 KB, else UTF-8.

    Decoding is strict: a byte the encoding cannot decode is a ParseError naming its line, so
    mojibake is never stored, and nothing is guessed when the page declares nothing.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_strictly(data[len(bom) :], codec=codec, name=codec.upper(), file=file)
    declared = _declared_charset(data[:CHARSET_SNIFF_BYTES])
    if declared is None:
        return _decode_strictly(data, codec="utf-8", name="UTF-8", file=file, undeclared=True)
    label, line = declared
    codec = _decoder_for(label)
    if codec is None:
        raise ParseError(
            file, line, f"unknown character encoding {label[:40]!r} declared in <meta>"
        )
    return _decode_strictly(data, codec=codec, name=label, file=file)


def _segment_paragraphs(root: etree._Element) -> list[ParsedParagraph]:
    """The visible text under ``root`` split into paragraphs, in document order, each once."""
    segmenter = _Segmenter()
    # An explicit stack rather than recursion keeps the walk flat however deep the markup is.
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            segmenter.close(node)
            segmenter.add_text(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag.lower() in DROPPED_TAGS:
            # Comments, processing instructions and dropped elements: only the text after them
            # belongs to the page.
            segmenter.add_text(node.tail)
            continue
        segmenter.open(node)
        segmenter.add_text(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    segmenter.flush()
    return segmenter.paragraphs


def body_coverage(paragraphs: list[str], article_body: str) -> float:
    """Share of a reference article body's characters that the imported paragraphs contain.

    The reference is split into lines (its paragraphs, and the rows of its tables and lists).
    Whitespace is ignored on both sides: the reference extractor put spaces at inline-tag
    boundaries ("Arte mis m oon" for ``Arte<a>mis</a> <a>m</a>oon``), so comparing with
    whitespace removed measures missing text, not spacing. A line counts, with all its
    non-whitespace characters, when it occurs as a substring of the imported paragraphs
    concatenated in order (so a line we split across consecutive paragraphs still counts).
    The result is counted characters over all reference characters; an empty reference is
    fully covered (1.0).
    """
    pieces = [_without_whitespace(line) for line in article_body.splitlines()]
    total = sum(len(piece) for piece in pieces)
    if not total:
        return 1.0
    imported = "".join(_without_whitespace(paragraph) for paragraph in paragraphs)
    return sum(len(piece) for piece in pieces if piece and piece in imported) / total


class _Segmenter:
    """Collects text between block boundaries; one instance per page walk."""

    def __init__(self) -> None:
        self.paragraphs: list[ParsedParagraph] = []
        self._blocks: list[etree._Element] = []  # open block elements, outermost first
        self._pieces: list[tuple[str, bool]] = []  # text of the paragraph in progress, in-link?
        self._links_open = 0
        self._preformatted_open = 0
        self._breaks = 0  # <br> since the last visible text of the paragraph in progress

    def open(self, element: etree._Element) -> None:
        tag = element.tag.lower()
        if tag == "br":
            self._line_break()
        elif tag == "a":
            self._links_open += 1
        elif tag in BLOCK_TAGS:
            self.flush()
            self._blocks.append(element)
            if tag in PREFORMATTED_TAGS:
                self._preformatted_open += 1

    def close(self, element: etree._Element) -> None:
        tag = element.tag.lower()
        if tag == "a":
            self._links_open -= 1
        elif tag in BLOCK_TAGS:
            self.flush()
            self._blocks.pop()
            if tag in PREFORMATTED_TAGS:
                self._preformatted_open -= 1

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if not text.isspace():
            if self._breaks >= 2:
                self.flush()
            self._breaks = 0
        self._pieces.append((text, self._links_open > 0))

    def flush(self) -> None:
        """End the paragraph in progress; it is kept if it has any visible text."""
        pieces, self._pieces, self._breaks = self._pieces, [], 0
        raw = "".join(text for text, _ in pieces)
        text = _preformatted(raw) if self._preformatted_open else _collapse(raw)
        if not text:
            return
        owner = self._blocks[-1]  # the walk starts at <html>, so some block is always open
        tag = owner.tag.lower()
        linked = sum(_visible_length(piece) for piece, in_link in pieces if in_link)
        meta: dict = {
            "tag": tag,
            "path": _short_path(owner),
            "link_density": round(linked / max(_visible_length(raw), 1), 3),
            "in": _regions(owner),
        }
        if tag in HEADING_TAGS:
            meta["heading_level"] = int(tag[1])
        self.paragraphs.append(ParsedParagraph(text=text, meta=meta))

    def _line_break(self) -> None:
        # Two or more <br> in a row end the paragraph, but only once the next visible text
        # arrives (see add_text), so a run of five <br> makes one boundary, not four.
        if not self._preformatted_open:
            self._breaks += 1
        self._pieces.append(("\n", self._links_open > 0))


def _parse_tree(text: str, *, file: str) -> etree._Element:
    # We hand lxml UTF-8 bytes with the encoding fixed, so it never re-sniffs a <meta> charset
    # (and never trips over an XML declaration in a str). The HTML parser does not read DTDs
    # or expand entities other than HTML's own, and no_network forbids fetching anything.
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        default_doctype=False,
        collect_ids=False,
        huge_tree=False,
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except etree.ParserError:  # lxml's "Document is empty": nothing but comments or a doctype
        raise ParseError(file, 1, NO_PARAGRAPHS) from None
    except etree.XMLSyntaxError as exc:
        raise ParseError(file, 1, f"not parseable as HTML: {exc}") from None
    # libxml2 stops at its safety limits (elements nested over 255 deep, a text run over
    # 10 MB) and returns what it has so far. Refuse the page rather than import it truncated.
    for error in parser.error_log:
        if error.level_name == "FATAL" or error.type_name == "ERR_RESOURCE_LIMIT":
            reason = " ".join(error.message.split()).rstrip(".")
            raise ParseError(file, error.line or 1, f"the HTML parser stopped here ({reason})")
    return root


def _declared_charset(head: bytes) -> tuple[str, int] | None:
    """The charset label a <meta> in ``head`` declares, with its line, if any."""
    # Latin-1 reads any byte, and every charset a <meta> can name is ASCII-compatible there.
    parser = lxml.html.HTMLParser(
        encoding="iso-8859-1", no_network=True, remove_comments=True, remove_pis=True
    )
    try:
        root = lxml.html.document_fromstring(head, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError):
        return None
    for meta in root.iter("meta"):
        label = (meta.get("charset") or "").strip()
        if not label and (meta.get("http-equiv") or "").strip().lower() == "content-type":
            found = _CHARSET_IN_CONTENT.search(meta.get("content") or "")
            label = found.group(1) if found else ""
        if label:
            return label, meta.sourceline or 1
    return None


def _decoder_for(label: str) -> str | None:
    key = label.strip().lower()
    return _EXTRA_LABELS.get(key) or _DECODERS.get(_canonical_codec(key) or "")


def _canonical_codec(label: str) -> str | None:
    # Python's codec lookup forgives punctuation ("utf-8!!" finds UTF-8); encoding labels don't.
    if not _ENCODING_LABEL.fullmatch(label.strip()):
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def _decode_strictly(
    data: bytes, *, codec: str, name: str, file: str, undeclared: bool = False
) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        detail = f"bytes {data[exc.start : exc.end][:4].hex(' ')}"
        if codecs.lookup(codec).name != _canonical_codec(name):
            detail += f"; decoded as {codecs.lookup(codec).name}"  # e.g. latin1 as windows-1252
        hint = " and no charset is declared in the first 4 KB" if undeclared else ""
        raise ParseError(file, line, f"not valid {name} ({detail}){hint}") from None


def _meta_contents(root: etree._Element) -> dict[str, str]:
    """First ``content`` of each <meta>, keyed by each lowercased name/property/itemprop token."""
    contents: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop"):
            for key in (meta.get(attribute) or "").lower().split():
                contents.setdefault(key, content.strip())
    return contents


def _canonical_url(root: etree._Element, metas: dict[str, str]) -> str:
    candidates = [
        link.get("href") or ""
        for link in root.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates.append(metas.get("og:url", ""))
    for candidate in candidates:
        url = candidate.strip()
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. a malformed IPv6 host
            continue
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            return url
    return ""


def _title_text(root: etree._Element) -> str:
    """The page's <title>, not an icon's <svg><title>."""
    for title in root.iter("title"):
        if not any(node.tag in ("svg", "math") for node in title.iterancestors()):
            return _collapse(title.text_content())
    return ""


def _published(root: etree._Element, metas: dict[str, str]) -> str:
    for key in PUBLISHED_META_KEYS:
        if metas.get(key):
            return metas[key]
    for time in root.iter("time"):
        if (time.get("datetime") or "").strip():
            return time.get("datetime").strip()
    return ""


def _short_path(element: etree._Element) -> str:
    """``article#main>div.story-body>p``: the element and up to four ancestors."""
    chain = [element, *islice(element.iterancestors(), 4)]
    return ">".join(_describe(node) for node in reversed(chain))


def _describe(element: etree._Element) -> str:
    """``tag#id``, else ``tag.first-class``; names cut to 20 characters to keep paths short."""
    name = element.tag.lower()
    element_id = (element.get("id") or "").strip()
    if element_id:
        return f"{name}#{element_id[:20]}"
    classes = (element.get("class") or "").split()
    return f"{name}.{classes[0][:20]}" if classes else name


def _regions(element: etree._Element) -> list[str]:
    """Regions (header, nav, footer, aside, figure) holding ``element`` or itself, outermost first."""
    found: list[str] = []
    for node in [*reversed(list(element.iterancestors())), element]:
        tag = node.tag.lower()
        names = [tag if tag in REGION_TAGS else None]
        names += [REGION_ROLES.get(role) for role in (node.get("role") or "").lower().split()]
        for name in names:
            if name and name not in found:
                found.append(name)
    return found


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _preformatted(text: str) -> str:
    """<pre> text: line breaks and relative indentation kept, trailing spaces and ends stripped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return textwrap.dedent("\n".join(lines)).strip()


def _without_whitespace(text: str) -> str:
    return "".join(text.split())


def _visible_length(text: str) -> int:
    return len(_without_whitespace(text))
