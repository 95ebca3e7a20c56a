"""Hostile query strings and path numbers on every page: 400 or 404, never a 500.

Every URL of the authorization matrix is requested by a user allowed to see it, with query
strings built by hypothesis: every parameter any of our pages reads, plus unknown ones, with
values that are huge, negative, not numbers, NaN, infinities, NUL, control characters, lone
surrogates and invalid UTF-8 (sent percent-encoded). The test client re-raises a view's
exception, so a crash fails the test with its traceback; a 5xx answer fails it too.
"""

from __future__ import annotations

from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization_matrix import (
    ACCESS,
    ALLOWED,
    ROLES,
    client_for,
    url_for,
    world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every query parameter a page of ours reads (queue filters, export options, the card format),
# and a few it does not.
PARAMETERS = [
    "page",
    "pos",
    "article",
    "a",
    "b",
    "annotator",
    "show",
    "format",
    "unit",
    "min_annotations",
    "min_agreement",
    "include_unresolved",
    "split",
    "anonymize",
    "card",
    "next",
    "paragraph",
    "q",
    "before",
]
BIG_NUMBERS = [
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "2147483648",
    "-1",
    "0",
    "1e309",
    "NaN",
    "inf",
    "-Infinity",
    "0x10",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: int() accepts them
]
hostile_text = st.text(
    alphabet=st.characters(codec=None, categories=None, exclude_characters=""), max_size=20
)
value_bytes = st.one_of(
    st.sampled_from(BIG_NUMBERS).map(str.encode),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=12),  # invalid UTF-8 too
)
query_strings = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=6)), value_bytes),
    max_size=6,
).map(
    lambda pairs: "&".join(
        f"{quote(name.encode('utf-8', 'surrogatepass'))}={quote_from_bytes(value)}"
        for name, value in pairs
    )
)

PAGES = sorted(name for name, rule in ACCESS.items())


def allowed_client(name: str, world) -> Client:  # noqa: F811
    role = next(r for r in ROLES if r in ALLOWED[ACCESS[name]] and r != "anonymous")
    return client_for(role, world)


@pytest.mark.parametrize("name", PAGES)
def test_hostile_query_strings_never_answer_500(name, world):  # noqa: F811
    url = url_for(name, world)
    client = allowed_client(name, world)

    @FUZZ
    @given(query=query_strings)
    def check(query: str) -> None:
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, f"GET {url}?{query}: {response.status_code}"

    check()


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page", "9223372036854775807"),
        ("page", "9223372036854775808"),
        ("page", "99999999999999999999"),
        ("pos", "9223372036854775807"),
        ("pos", "-9223372036854775809"),
        ("article", "9223372036854775808"),
        ("min_annotations", "9223372036854775808"),
        ("min_agreement", "NaN"),
    ],
)
@pytest.mark.parametrize("name", ["labels:disagreements", "labels:next_disagreement"])
def test_out_of_range_numbers_on_the_queue_are_refused_with_400(name, parameter, value, world):  # noqa: F811
    client = allowed_client(name, world)

    response = client.get(url_for(name, world), {parameter: value})

    if parameter in ("min_annotations", "min_agreement"):
        assert response.status_code < 500  # not a queue parameter: ignored
    else:
        assert response.status_code == 400, response.content


@pytest.mark.parametrize("name", ["labels:export_gold", "labels:export_card"])
@pytest.mark.parametrize(
    "query", ["min_annotations=9223372036854775808", "min_agreement=NaN", "min_agreement=1e309"]
)
def test_out_of_range_export_options_are_refused_with_400(name, query, world):  # noqa: F811
    response = allowed_client(name, world).get(f"{url_for(name, world)}?{query}")

    assert response.status_code == 400


PATH_NUMBERS = ["9223372036854775807", "9223372036854775808", "99999999999999999999999999"]


@pytest.mark.parametrize("number", PATH_NUMBERS)
@pytest.mark.parametrize(
    "name",
    [
        "labels:annotate",
        "labels:submit",
        "labels:skip",
        "labels:undo",
        "labels:label_run",
        "labels:flag",
        "labels:activity",
        "labels:set_label",
        "labels:accept_suggestion",
        "labels:accept_all_suggestions",
        "labels:adjudicate",
    ],
)
def test_huge_ids_in_the_path_answer_404(name, number, world):  # noqa: F811
    client = allowed_client(name, world)
    url = url_for(name, world)
    for key in ("assignment_id", "paragraph_id"):
        url = url.replace(f"/{world.kwargs[key]}/", f"/{number}/")

    for method in ("get", "post"):
        response = getattr(client, method)(url, world.payload)
        assert response.status_code in (404, 405), f"{method} {url}: {response.status_code}"


def test_the_fuzzed_parameters_include_every_one_a_page_reads():
    # The queue and export forms are where pages read GET parameters; a new field there
    # must join the fuzzed list.
    from labels.views.forms import ExportForm, QueueFilterForm

    fields = set(ExportForm.base_fields) | set(QueueFilterForm.base_fields) | {"card"}
    assert fields <= set(PARAMETERS), sorted(fields - set(PARAMETERS))


@pytest.mark.parametrize(
    "name",
    [
        "labels:label_run",
        "labels:flag",
        "labels:set_label",
        "labels:submit",
        "labels:activity",
        "labels:undo",
        "labels:accept_suggestion",
        "labels:adjudicate",
    ],
)
@pytest.mark.parametrize("number", [*BIG_NUMBERS, "1" * 400])
def test_hostile_numbers_in_posted_forms_never_answer_500(name, number, world):  # noqa: F811
    client = allowed_client(name, world)
    form = {
        **world.payload,
        "paragraph": number,
        "active_delta": number,
        "active_seconds": number,
    }

    response = client.post(url_for(name, world), form)

    assert response.status_code < 500, f"POST {name} with {number!r}: {response.status_code}"
