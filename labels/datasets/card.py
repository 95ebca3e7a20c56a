"""The dataset card of a gold export: a JSON document and its short Markdown twin.

Every count comes from the ExportStats filled while the lines were written, inside the same
snapshot, so the card describes exactly the file it sits next to (its SHA-256 included).
"""

from __future__ import annotations

import json
import tomllib
from functools import cache
from pathlib import Path

from django.conf import settings

from labels.datasets.export import ExportOptions, ExportStats, write_atomically
from labels.models import Project
from labels.review import agreement, reliability

CARD_VERSION = 1
# The agreement figures the Markdown card lists (the JSON card has the whole report).
AGREEMENT_FIGURES = (
    "units",
    "annotations",
    "annotators",
    "krippendorff_alpha",
    "alpha_ci95",
    "alpha_reading",
    "fleiss_kappa",
    "percent_agreement",
    "gwet_ac1",
)
SPLIT_METHOD = (
    "first 8 bytes of SHA-256 of the article id, as a fraction of 2^64, against the cumulative "
    "percentages; depends only on the article id and the ratios"
)


@cache
def app_version() -> str:
    """The version in pyproject.toml, or 'unknown' when the app runs without it."""
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def agreement_figures(*, project: Project) -> tuple[dict | None, str]:
    """The project's agreement report over submitted annotations, or None and the reason.

    The same figures as the reviewer dashboard. Call inside the export's snapshot so they
    describe the same annotations as its lines (reliability reads the export's database).
    """
    report = reliability.project_agreement(project=project)
    if not report["annotations"]:
        return None, agreement.NO_ANNOTATIONS
    return report, ""


def build_card(
    *, project: Project, options: ExportOptions, stats: ExportStats, file_name: str
) -> dict:
    """The card as a JSON-ready dict; call after the export's bytes were all produced."""
    if stats.sha256 is None:
        raise ValueError("the export has not been read to the end; its SHA-256 is unknown")
    label_values = [entry["value"] for entry in stats.label_set]
    columns = [*label_values, *sorted(set(stats.labels) - set(label_values))]
    return {
        "card_version": CARD_VERSION,
        "project": {"slug": project.slug, "name": project.name},
        "file": {
            "name": file_name,
            "format": options.fmt,
            "unit": options.unit if options.fmt != "articlebody" else "article",
            "lines": stats.lines,
            "bytes": stats.bytes,
            "sha256": stats.sha256,
        },
        "exported_at": stats.exported_at.isoformat() if stats.exported_at else None,
        "app_version": app_version(),
        "label_set": stats.label_set,
        "policy": {
            "rules": options.policy.describe(),
            "min_annotations": options.policy.min_annotations,
            "min_agreement": options.policy.min_agreement,
            "include_unresolved": options.include_unresolved,
            "counted_annotations": "only the annotations of submitted assignments",
        },
        "split": {
            "spec": options.split.spec(),
            "ratios": dict(options.split.parts),
            "method": SPLIT_METHOD,
        },
        "counts": {
            "lines": stats.lines,
            "articles": stats.articles,
            "paragraphs": stats.paragraphs,
            "labels": {label: stats.labels[label] for label in columns if stats.labels[label]},
            "gold_sources": dict(sorted(stats.gold_sources.items())),
            "splits": {
                name: {
                    "lines": stats.splits[name].lines,
                    "paragraphs": stats.splits[name].paragraphs,
                    "labels": {
                        label: stats.splits[name].labels[label]
                        for label in columns
                        if stats.splits[name].labels[label]
                    },
                }
                for name in options.split.names
            },
            "unresolved": stats.labels["null"],
            "project": {
                "paragraphs": stats.project_paragraphs,
                "gold": stats.project_gold,
                "unresolved": stats.project_unresolved,
                "unlabelled": stats.project_unlabelled,
            },
        },
        "agreement": stats.agreement,
        "agreement_note": stats.agreement_note,
        "annotators": {
            "anonymized": options.anonymize,
            "annotations_in_file": dict(sorted(stats.annotators.items())),
        },
    }


def _rounded(value: object) -> object:
    """Figures for people: 4 decimals (the JSON card keeps full precision)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def _cell(value: object) -> str:
    """A value safe inside a Markdown table cell."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def card_markdown(card: dict) -> str:
    """The short human-readable twin of the JSON card."""
    counts = card["counts"]
    labels = list(counts["labels"])
    lines = [
        f"# Gold dataset: {_cell(card['project']['name'])}",
        "",
        "| | |",
        "| --- | --- |",
        f"| project | `{_cell(card['project']['slug'])}` |",
        f"| file | `{_cell(card['file']['name'])}` ({card['file']['format']}, "
        f"one {card['file']['unit']} per entry) |",
        f"| SHA-256 | `{card['file']['sha256']}` |",
        f"| entries | {card['file']['lines']} ({counts['paragraphs']} paragraphs, "
        f"{counts['articles']} articles) |",
        f"| exported | {card['exported_at']} by app version {_cell(card['app_version'])} |",
        "| label set | "
        + ", ".join(_cell(f"{x['value']} ({x['key']})") for x in card["label_set"])
        + " |",
        f"| split | {card['split']['spec']} ("
        + ", ".join(card["split"]["ratios"])
        + "), by a hash of the article id |",
        f"| annotators | {len(card['annotators']['annotations_in_file'])}"
        + (" (pseudonymised)" if card["annotators"]["anonymized"] else "")
        + " |",
        "",
        "## Gold policy",
        "",
        *[f"{n}. {_cell(rule)}" for n, rule in enumerate(card["policy"]["rules"], start=1)],
        "",
        f"Counted: {card['policy']['counted_annotations']}. Unresolved paragraphs in the "
        f"file: {counts['unresolved']}; in the project: {counts['project']['unresolved']} "
        f"unresolved, {counts['project']['unlabelled']} not yet labelled, "
        f"{counts['project']['gold']} of {counts['project']['paragraphs']} with a gold label.",
        "",
        "## Paragraphs per split and label",
        "",
        "| split | entries | paragraphs | " + " | ".join(_cell(x) for x in labels) + " |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in labels) + " |",
    ]
    for name, split in counts["splits"].items():
        cells = " | ".join(str(split["labels"].get(label, 0)) for label in labels)
        lines.append(f"| {name} | {split['lines']} | {split['paragraphs']} | {cells} |")
    total_cells = " | ".join(str(counts["labels"][label]) for label in labels)
    lines.append(f"| all | {counts['lines']} | {counts['paragraphs']} | {total_cells} |")
    lines += ["", "## Agreement", ""]
    if card["agreement"] is None:
        lines.append(f"Not available: {_cell(card['agreement_note'])}.")
    else:
        figures = card["agreement"]
        for name in AGREEMENT_FIGURES:
            if name in figures:
                lines.append(f"- {name.replace('_', ' ')}: {_cell(_rounded(figures[name]))}")
    return "\n".join(lines) + "\n"


def write_card(*, card: dict, path: Path) -> Path:
    """Write the card as JSON to ``path`` and as Markdown next to it (``.md``); atomic each.

    Returns the Markdown path.
    """
    markdown_path = path.with_suffix(".md")
    if markdown_path == path:
        raise ValueError(f"{path}: give the JSON path; the Markdown twin is written next to it")
    text = json.dumps(card, ensure_ascii=False, indent=2) + "\n"
    write_atomically([text.encode("utf-8")], out=path)
    write_atomically([card_markdown(card).encode("utf-8")], out=markdown_path)
    return markdown_path
