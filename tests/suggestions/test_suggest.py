"""labels.suggest (the rules) and labels.ingest.extractor (trafilatura's signal). Pure, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from labels.ingest import extractor
from labels.ingest.parsing import parse_txt
from labels.suggestions import suggest
from labels.suggestions.suggest import Candidate, suggest_article, suggest_paragraph

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_d93e8ff5672328ba.txt"


def decide(text: str, **meta: object) -> tuple[str, str]:
    suggestion = suggest_paragraph(Candidate(text=text, meta=meta))
    return suggestion.label, suggestion.rule


# Captions


@pytest.mark.parametrize(
    "text",
    [
        "Benjamin Netanyahu and Vladimir Putin.. (photo credit: GPO)",
        "The pier at dawn. (Photo: Jane Roe)",
        "Firefighters on the roof. Photograph: Alamy",
        "The latest case was reported after a hunter ate a rabbitCredit: Getty - Contributor",
        "Image copyright EPA",
        "Media captionWho is Julian Assange?",
        "Protesters in Hong Kong on Sunday. Getty Images",
    ],
)
def test_photo_credit_lines_are_captions(text):
    assert decide(text) == ("caption", "photo-credit")


def test_a_figcaption_is_a_caption():
    assert decide("The pier seen from the lighthouse", tag="figcaption", **{"in": ["figure"]}) == (
        "caption",
        "figure-caption",
    )


def test_a_figure_that_is_all_links_is_a_related_teaser_not_a_caption():
    label, rule = decide(
        "Scientists find water on a distant moon",
        tag="figcaption",
        link_density=1.0,
        **{"in": ["figure"]},
    )

    assert (label, rule) == ("boilerplate", "high-link-density")


# Quotes


@pytest.mark.parametrize(
    "text",
    [
        "“The most important thing is that we will be very strong. Everyone runs away from the weak.”",
        '"We will rebuild the pier before the summer," the mayor told reporters.',
        "« Nous allons reconstruire le port avant l'été », a déclaré le maire.",
        "“The reality is changing very rapidly",  # a quotation that continues in the next paragraph
    ],
)
def test_direct_quotations_are_quotes(text):
    assert decide(text) == ("quote", "direct-quotation")


def test_a_paragraph_that_only_contains_a_short_quote_is_not_a_quote():
    label, _ = decide(
        "“Fine,” she said, and the council then voted to close the northern pier until the "
        "engineers had inspected every beam and published their report."
    )

    assert label == "body"


def test_a_blockquote_is_a_quote():
    assert decide("We reject the claims in the strongest terms.", tag="blockquote") == (
        "quote",
        "block-quote",
    )


# Boilerplate


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Sign up for our newsletter", "subscription-pitch"),
        ("For $5 a month you will receive access to the following:", "subscription-pitch"),
        ("Already a subscriber? Log in", "subscription-pitch"),
        ("Be the first to know - Join our Facebook page.", "social-call-to-action"),
        ("Follow us on Twitter and Instagram", "social-call-to-action"),
        ("Share this with WhatsApp", "social-call-to-action"),
        ("Related Content", "related-list"),
        ("Read more", "related-list"),
        ("Most popular", "related-list"),
        ("By Debbie White", "byline-or-dateline"),
        ("Updated: 18 Nov 2019, 19:11", "byline-or-dateline"),
        ("November 16, 2016 05:53\n1 minute read.\nNetanyahu Putin", "byline-or-dateline"),
        ("19 November 2019", "byline-or-dateline"),
        ("© 2019 News Group Newspapers Limited. All rights reserved.", "copyright"),
        ("Advertisement", "related-list"),
    ],
)
def test_boilerplate_phrases(text, rule):
    assert decide(text) == ("boilerplate", rule)


def test_a_long_body_paragraph_mentioning_a_subscription_once_is_not_a_pitch():
    text = (
        "The council said the subscription model for the ferry had failed, and that from next "
        "year every resident would travel free of charge on weekdays, a change that will cost "
        "the town about two million pounds a year according to its own estimates."
    )

    assert decide(text) == ("body", "prose")


def test_items_under_a_related_header_are_boilerplate_until_the_text_resumes():
    long_text = (
        "The harbour reopened on Monday after a week of repairs to the northern pier, which "
        "had been closed since the storm damaged three of its supporting beams in October."
    )
    paragraphs = [
        ("Related Content", {}),
        ("The International Criminal Court in The Hague\nAugust 18, 2018", {}),
        ("What does the ruling mean for the port?", {}),
        (long_text, {}),
        ("What the engineers found under the pier.", {}),
    ]

    rules = [s.rule for s in suggest_article(paragraphs)]

    assert rules == ["related-list", "related-list", "related-list", "prose", "prose"]


@pytest.mark.parametrize("region", ["header", "nav", "footer", "aside"])
def test_paragraphs_in_page_regions_are_boilerplate(region):
    assert decide("Weather", tag="li", **{"in": [region]}) == ("boilerplate", "navigation-region")


def test_a_region_paragraph_the_extractor_kept_is_not_forced_to_boilerplate():
    label, rule = decide(
        "The harbour reopened on Monday after a week of repairs to the northern pier.",
        tag="p",
        extracted=True,
        **{"in": ["header"]},
    )

    assert (label, rule) == ("body", "extractor-body")


def test_high_link_density_is_boilerplate():
    assert decide("Harbour reopens after repairs", tag="li", link_density=0.8) == (
        "boilerplate",
        "high-link-density",
    )


# Extractor signal and fallbacks


def test_the_extractor_decides_ordinary_paragraphs_of_web_pages():
    assert decide("Short line kept by the extractor", tag="p", extracted=True) == (
        "body",
        "extractor-body",
    )
    assert decide(
        "A long paragraph the extractor dropped, about something else entirely on the page.",
        tag="p",
        extracted=False,
    ) == ("boilerplate", "extractor-boilerplate")


def test_without_metadata_prose_is_body_and_fragments_are_boilerplate():
    assert decide(
        "Netanyahu, on a visit to the new military training complex, was asked about Russia."
    ) == ("body", "prose")
    assert decide("Netanyahu Putin") == ("boilerplate", "short-fragment")


def test_the_title_as_first_paragraph_is_body():
    [suggestion] = suggest_article([("Harbour reopens", {})], title="Harbour reopens")

    assert (suggestion.label, suggestion.rule) == ("body", "headline")


def test_every_suggestion_has_a_label_a_rule_and_a_confidence_between_0_and_1():
    [article] = parse_txt(SEED.read_bytes(), file=SEED.name)

    suggestions = suggest_article(
        [(p.text, p.meta) for p in article.paragraphs], title=article.title
    )

    assert len(suggestions) == 22
    assert {s.label for s in suggestions} <= {"body", "boilerplate", "quote", "caption"}
    assert all(0 < s.confidence <= 1 for s in suggestions)
    rule_names = {name for name, *_ in suggest.RULES}
    assert {s.rule for s in suggestions} <= rule_names


def test_the_seed_gets_its_caption_pitch_facebook_line_and_related_block_right():
    [article] = parse_txt(SEED.read_bytes(), file=SEED.name)
    texts = [p.text for p in article.paragraphs]

    labels = dict(
        zip(
            texts,
            (s.label for s in suggest_article([(t, {}) for t in texts], title=article.title)),
            strict=True,
        )
    )

    assert labels["Benjamin Netanyahu and Vladimir Putin.. (photo credit: GPO)"] == "caption"
    assert labels["Be the first to know - Join our Facebook page."] == "boilerplate"
    assert labels["Related Content"] == "boilerplate"
    assert next(v for k, v in labels.items() if k.startswith("Dear Reader")) == "boilerplate"
    assert next(v for k, v in labels.items() if k.startswith("He replied")) == "body"


# The extractor signal


def test_the_extractor_marks_body_paragraphs_and_not_navigation():
    page = (
        "<html><head><title>Harbour</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World news</a></li></ul></nav>"
        "<article><h1>Harbour reopens</h1>"
        + "".join(
            f"<p>Paragraph {n} of the story tells how the harbour reopened after repairs "
            f"to the northern pier took longer than the council expected.</p>"
            for n in range(6)
        )
        + "</article><footer><p>Copyright 2019 Example News</p></footer></body></html>"
    )

    [article] = extractor.parse_html_with_extractor(page.encode(), file="page.html")

    flags = {p.text: p.meta.get("extracted") for p in article.paragraphs}
    assert article.meta["extractor"] == extractor.EXTRACTOR
    assert flags["Home"] is False
    assert flags["World news"] is False
    assert all(flag for text, flag in flags.items() if text.startswith("Paragraph "))
    assert flags["Copyright 2019 Example News"] is False


def test_a_short_paragraph_counts_as_extracted_only_when_it_is_a_whole_extracted_line():
    lines = {"AP", "Theharbourreopened."}

    assert extractor._is_extracted("AP", lines, "APTheharbourreopened.")
    assert not extractor._is_extracted("harbour", lines, "APTheharbourreopened.")


def test_a_page_trafilatura_cannot_extract_keeps_no_flag():
    [article] = extractor.parse_html_with_extractor(b"<p>x</p>", file="tiny.html")

    assert "extracted" not in article.paragraphs[0].meta
    assert "extractor" not in article.meta
