"""The docs a newcomer reads: a short README, links that lead somewhere, bench tables in place.

No database: these read Markdown files only. Each check is a small function tested on a
fixture that breaks it, so a check that silently stopped working would fail here too.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_LINES = 200

# The markers between which `make bench` and `make loadtest` rewrite their tables, and the
# scripts that write them (bench/run.py and bench/loadtest.py define the same strings).
BENCH_MARKERS = {
    "bench/run.py": ("<!-- bench:results:start -->", "<!-- bench:results:end -->"),
    "bench/loadtest.py": ("<!-- loadtest:results:start -->", "<!-- loadtest:results:end -->"),
}

FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), with an optional "title" after the target.
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# [label]: target
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)  # http:, https:, mailto: ...


def line_count(path: Path) -> int:
    """Lines in a text file, a last line without a newline included."""
    return len(path.read_text("utf-8").splitlines())


def relative_links(markdown: str) -> list[str]:
    """Targets of the Markdown links and images that point into the repository, anchors cut.

    Code blocks and code spans are not links; external URLs and same-page anchors are skipped.
    """
    text = INLINE_CODE.sub("", FENCED_CODE.sub("", markdown))
    targets = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
    paths = []
    for target in targets:
        if EXTERNAL.match(target):
            continue
        path = target.split("#", 1)[0]
        if path:
            paths.append(path)
    return paths


def broken_links(path: Path) -> list[str]:
    """The relative links of one Markdown file whose target does not exist."""
    return [
        target
        for target in relative_links(path.read_text("utf-8"))
        if not (path.parent / target).exists()
    ]


def markers_in_order(text: str, start: str, end: str) -> bool:
    """True when both markers occur exactly once, start before end."""
    return text.count(start) == 1 and text.count(end) == 1 and text.index(start) < text.index(end)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_readme_is_at_most_200_lines() -> None:
    assert line_count(README) <= README_MAX_LINES


def test_line_count_sees_a_readme_that_is_too_long(tmp_path: Path) -> None:
    long_readme = tmp_path / "README.md"
    long_readme.write_text("line\n" * (README_MAX_LINES + 1), "utf-8")

    assert line_count(long_readme) > README_MAX_LINES


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.name)
def test_every_relative_link_points_at_a_file_that_exists(path: Path) -> None:
    assert broken_links(path) == []


def test_the_docs_pages_are_there_and_linked_from_the_readme() -> None:
    readme_links = set(relative_links(README.read_text("utf-8")))
    for page in ("labelling", "reviewing", "formats", "agreement", "operations", "benchmarks"):
        assert (DOCS / f"{page}.md").is_file()
        assert f"docs/{page}.md" in readme_links
    assert "docs/architecture.md" in readme_links
    assert "docs/img/annotate.png" in readme_links


def test_link_checker_finds_broken_links_and_skips_what_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("# Here\n", "utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "See [here](docs/here.md#here), [gone](docs/gone.md#top) and ![shot](img/missing.png).\n"
        "[ref]: docs/also-gone.md\n"
        "External: [site](https://example.org/x.md), [mail](mailto:a@example.org), "
        "[anchor](#here).\n"
        "`[in code](docs/code.md)`\n"
        "```\n[in a block](docs/block.md)\n```\n",
        "utf-8",
    )

    assert broken_links(page) == ["docs/gone.md", "img/missing.png", "docs/also-gone.md"]


def test_links_are_resolved_from_the_page_that_holds_them(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Top\n", "utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text("[up](../README.md) [sibling](README.md)\n", "utf-8")

    assert broken_links(page) == ["README.md"]


@pytest.mark.parametrize("script", sorted(BENCH_MARKERS))
def test_benchmark_markers_are_in_the_benchmarks_page(script: str) -> None:
    start, end = BENCH_MARKERS[script]
    source = (ROOT / script).read_text("utf-8")
    page = (DOCS / "benchmarks.md").read_text("utf-8")

    assert start in source and end in source, f"{script} no longer writes these markers"
    assert markers_in_order(page, start, end)


def test_the_makefile_writes_the_bench_tables_into_the_benchmarks_page() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")

    assert makefile.count("--readme docs/benchmarks.md") == 2
    assert "--readme README.md" not in makefile


def test_markers_in_order_refuses_a_missing_doubled_or_reversed_marker() -> None:
    start, end = "<!-- x:start -->", "<!-- x:end -->"

    assert markers_in_order(f"a {start} table {end} b", start, end)
    assert not markers_in_order(f"a {start} table", start, end)
    assert not markers_in_order(f"{start} {start} {end}", start, end)
    assert not markers_in_order(f"{end} table {start}", start, end)
