"""Pre-annotation: a suggested label and a confidence for every paragraph. Pure: no Django.

Rules and features first, in a fixed order; the first rule that fires decides. Each rule has a
name (stored as the suggestion's rule, shown to reviewers) and a confidence that
``bench/bench_suggestions.py`` measured as that rule's precision on the corpus and the seed,
rounded down. Labels are the default label set's values; a project without one of them simply
gets no suggestion for paragraphs that would have it.

What a rule may look at: the paragraph's text, and for web pages its metadata from
``labels.ingest.webpages`` (tag, region, link density, heading level) and from ``labels.ingest.extractor``
(``extracted``: whether trafilatura kept it as main content). Site memory (the label of the
same text elsewhere on the same site) is a database lookup and lives in
``labels.suggestions.preannotation``; it overrides these rules when it knows the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

# Bump when the rules change, so stored suggestions show which suggester made them and
# `manage.py suggest` is known to be needed.
VERSION = "rules-1"

BODY, BOILERPLATE, QUOTE, CAPTION = "body", "boilerplate", "quote", "caption"

# A paragraph of at most this many characters is "short": the phrase rules (subscribe, follow
# us, related) only fire on short paragraphs, because a body paragraph may mention them.
SHORT = 200
HIGH_LINK_DENSITY = 0.5
QUOTED_SHARE = 0.6
RESUMED_WORDS = 25  # "a direct quotation": the quoted span is at least this share of the text


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float
    rule: str


@dataclass(frozen=True)
class Candidate:
    """What the rules see of one paragraph."""

    text: str
    meta: Mapping[str, object]
    index: int = 0
    title: str = ""
    after_related: bool = False  # a "Related ..." header came before, with only short items since


def suggest_article(
    paragraphs: Sequence[tuple[str, Mapping[str, object]]], *, title: str = ""
) -> list[Suggestion]:
    """One suggestion per (text, meta) paragraph of one article, in order."""
    suggestions: list[Suggestion] = []
    after_related = False
    for index, (text, meta) in enumerate(paragraphs):
        candidate = Candidate(
            text=text, meta=meta or {}, index=index, title=title, after_related=after_related
        )
        suggestion = suggest_paragraph(candidate)
        suggestions.append(suggestion)
        # The items under a "Related" header are short teasers (headlines, dates); a paragraph
        # of real prose length, or one the extractor keeps, means the article has resumed.
        if _related_header(candidate):
            after_related = True
        elif _words(text) >= RESUMED_WORDS or _extracted(candidate) is True:
            after_related = False
    return suggestions


def suggest_paragraph(candidate: Candidate) -> Suggestion:
    """The first rule that fires; every paragraph gets a suggestion (the fallbacks always fire)."""
    for name, label, confidence, fires in RULES:
        if fires(candidate):
            return Suggestion(label=label, confidence=confidence, rule=name)
    raise AssertionError("the fallback rules always fire")  # pragma: no cover


# --- features ---------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _is_short(c: Candidate) -> bool:
    return len(c.text) <= SHORT


def _regions(c: Candidate) -> set[str]:
    regions = c.meta.get("in") or []
    return set(regions) if isinstance(regions, list) else set()


def _link_density(c: Candidate) -> float:
    value = c.meta.get("link_density")
    return float(value) if isinstance(value, int | float) else 0.0


def _extracted(c: Candidate) -> bool | None:
    value = c.meta.get("extracted")
    return value if isinstance(value, bool) else None


def _tag(c: Candidate) -> str:
    value = c.meta.get("tag")
    return value if isinstance(value, str) else ""


def _ends_a_sentence(text: str) -> bool:
    return text.rstrip(" \"'”’»)]").endswith((".", "!", "?", "…", ":"))


# --- captions ---------------------------------------------------------------------------

_PHOTO_CREDIT = re.compile(
    r"""
    \((?:photo|image|picture|video)\s*(?:credit)?\s*:       # (photo credit: GPO), (Photo: AP)
    | \b(?:photo|image|picture|photograph|illustration|graphic)s?\s*(?:credit|courtesy)?\s*:\s*\S
    | credit\s*:\s*\S                                       # ...rabbitCredit: Getty
    | \bimage\s+(?:copyright|caption)\b                     # BBC: Image copyright EPA
    | \bmedia\s+caption                                     # BBC video captions
    | \b(?:getty\s+images|shutterstock|ap\s+photo|afp\s+via\s+getty|istock(?:photo)?)\b
    | ^(?:photo|image)s?\s+(?:by|via|from)\s+\S
    | \bphotographed\s+by\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _photo_credit(c: Candidate) -> bool:
    return len(c.text) <= 400 and bool(_PHOTO_CREDIT.search(c.text))


def _figure_caption(c: Candidate) -> bool:
    # A figure that is mostly links is a "related story" teaser, not a photo caption.
    in_figure = _tag(c) == "figcaption" or "figure" in _regions(c)
    return in_figure and _link_density(c) < HIGH_LINK_DENSITY and _words(c.text) >= 3


# --- quotes -----------------------------------------------------------------------------

_OPENING_QUOTES = "\"“„«‘'"
_CLOSING_FOR = {'"': '"', "“": "”", "„": "“", "«": "»", "‘": "’", "'": "'"}


def _direct_quotation(c: Candidate) -> bool:
    """The paragraph opens with a quotation mark and the quoted span is most of it."""
    text = c.text.strip()
    if len(text) < 20 or text[0] not in _OPENING_QUOTES:
        return False
    opening = text[0]
    closings = {_CLOSING_FOR[opening], '"', "”"} if opening != "'" else {"'", "’"}
    end = max((text.rfind(mark, 1) for mark in closings), default=-1)
    if end <= 0:
        # An unclosed quotation that runs to the end (a quote continued in the next paragraph).
        end = len(text)
    return end / len(text) >= QUOTED_SHARE


def _block_quote(c: Candidate) -> bool:
    return _tag(c) == "blockquote" and _link_density(c) < HIGH_LINK_DENSITY


# --- boilerplate phrases ------------------------------------------------------------------

_SUBSCRIPTION = re.compile(
    r"""
    \bsubscri(?:be|ber|bers|ption|ptions)\b | \bnewsletters?\b | \bsign\s*(?:up|in)\b
    | \blog\s*in\b | \bregister\b | \bpaywall\b | \bpremium\b | \bper\s+month\b | \ba\s+month\b
    | \bdear\s+reader\b | \bsupport\s+(?:our|independent)\s+journalism\b
    | \bcontinue\s+reading\b | \bunlimited\s+(?:access|digital)\b | \bfree\s+trial\b
    | \bupgrade\b | \bbecome\s+a\s+(?:member|subscriber|supporter)\b | \binbox\b
    | \bcookies?\b | \bprivacy\s+(?:policy|notice)\b | \bterms\s+(?:of\s+(?:use|service)|&)
    | \bad\s*blocker\b | \bdisable\s+your\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SOCIAL = re.compile(
    r"""
    \b(?:follow|join|like|find|share|connect\s+with)\b[^.]{0,40}?
        \b(?:facebook|twitter|instagram|linkedin|whatsapp|telegram|youtube|tiktok|pinterest
            |reddit|flipboard|messenger|social|page|us)\b
    | ^(?:share|tweet|email|print|comments?|facebook|twitter|whatsapp|linkedin|pinterest
        |reddit|messenger|copy\s+(?:this\s+)?link)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_RELATED = re.compile(
    r"""
    ^(?:related(?:\s+(?:content|articles?|stories|coverage|news|topics|links|video))?
       | read\s+(?:more|next|also)| more\s+(?:from|on|in|about|stories|news)|recommended
       | most\s+(?:popular|read|viewed|shared)|trending|popular|you\s+(?:may|might)\s+(?:also\s+)?like
       | see\s+also|also\s+(?:read|see)|top\s+stories|latest(?:\s+news)?|editor'?s\s+picks?
       | what\s+to\s+read\s+next|further\s+reading|topics|tags|more|watch|listen
       | sponsored(?:\s+content)?|advertisement|promoted|partner\s+content)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_BYLINE = re.compile(
    rf"""
    ^by\s+\S+(?:\s+\S+){{0,6}}$                                  # By Debbie White
    | ^(?:updated|published|posted|last\s+(?:updated|modified)|first\s+published)\b
    | \b\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read\b                 # 1 minute read.
    | ^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?
        (?:{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS},?\s+\d{{4}}|\d{{4}}-\d\d-\d\d)
        [\s,]*(?:(?:at\s+)?\d{{1,2}}[:.]\d\d\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{{2,4}})?)?[\s|·•-]*$
    | ^\d{{1,2}}[:.]\d\d\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{{2,4}})?[\s,]*$   # 10:30 AM ET
    | ^\d+\s+(?:hours?|minutes?|days?)\s+ago$
    """,
    re.IGNORECASE | re.VERBOSE,
)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|\ball\s+rights\s+reserved\b", re.I)


def _subscription_pitch(c: Candidate) -> bool:
    hits = len(_SUBSCRIPTION.findall(c.text))
    if _is_short(c):
        return hits >= 1
    # A long paragraph may mention a subscription in passing; two phrases make it a pitch,
    # unless the extractor kept it as article text.
    return hits >= 2 and _extracted(c) is not True


def _social_call(c: Candidate) -> bool:
    return _is_short(c) and bool(_SOCIAL.search(c.text))


def _related_header(c: Candidate) -> bool:
    return len(c.text) <= 60 and bool(_RELATED.search(c.text))


def _related_list(c: Candidate) -> bool:
    """A "Related ..." header, an element whose class says so, or a short item under one."""
    if _related_header(c):
        return True
    if c.after_related and _words(c.text) < RESUMED_WORDS and _extracted(c) is not True:
        return True
    path = c.meta.get("path")
    return isinstance(path, str) and bool(
        re.search(r"related|recommend|more-?stories|read-?more|outbrain|taboola", path, re.I)
    )


def _byline_or_dateline(c: Candidate) -> bool:
    return len(c.text) <= 120 and bool(_BYLINE.search(c.text.strip()))


def _copyright(c: Candidate) -> bool:
    return _is_short(c) and bool(_COPYRIGHT.search(c.text))


# --- page structure -------------------------------------------------------------------------


def _navigation_region(c: Candidate) -> bool:
    """In a header, nav, footer or aside, unless the extractor kept it as main content."""
    return bool(_regions(c) & {"header", "nav", "footer", "aside"}) and _extracted(c) is not True


def _high_link_density(c: Candidate) -> bool:
    return _link_density(c) >= HIGH_LINK_DENSITY and _extracted(c) is not True


def _extractor_body(c: Candidate) -> bool:
    return _extracted(c) is True


def _extractor_boilerplate(c: Candidate) -> bool:
    return _extracted(c) is False


def _headline(c: Candidate) -> bool:
    """The article's own title repeated as its first heading or first paragraph."""
    title = " ".join(c.title.split()).lower()
    text = " ".join(c.text.split()).lower()
    return bool(title) and (text == title or (c.index == 0 and title.startswith(text)))


def _fragment(c: Candidate) -> bool:
    """A few words without a sentence ending: menu items, labels, photo alt text."""
    return _words(c.text) <= 4 and not _ends_a_sentence(c.text)


def _prose(c: Candidate) -> bool:
    return _words(c.text) >= 12 or (_words(c.text) >= 5 and _ends_a_sentence(c.text))


def _anything(c: Candidate) -> bool:
    return True


Rule = tuple[str, str, float, Callable[[Candidate], bool]]

# (name, label, confidence, test), in the order they are tried.
RULES: tuple[Rule, ...] = (
    ("photo-credit", CAPTION, 0.8, _photo_credit),
    ("figure-caption", CAPTION, 0.8, _figure_caption),
    ("related-list", BOILERPLATE, 0.9, _related_list),
    ("navigation-region", BOILERPLATE, 0.9, _navigation_region),
    ("high-link-density", BOILERPLATE, 0.9, _high_link_density),
    ("direct-quotation", QUOTE, 0.7, _direct_quotation),
    ("block-quote", QUOTE, 0.6, _block_quote),
    ("subscription-pitch", BOILERPLATE, 0.9, _subscription_pitch),
    ("social-call-to-action", BOILERPLATE, 0.8, _social_call),
    ("byline-or-dateline", BOILERPLATE, 0.9, _byline_or_dateline),
    ("copyright", BOILERPLATE, 0.9, _copyright),
    ("headline", BODY, 0.6, _headline),
    ("extractor-body", BODY, 0.9, _extractor_body),
    ("extractor-boilerplate", BOILERPLATE, 0.9, _extractor_boilerplate),
    ("short-fragment", BOILERPLATE, 0.6, _fragment),
    ("prose", BODY, 0.6, _prose),
    ("fallback", BOILERPLATE, 0.4, _anything),
)
