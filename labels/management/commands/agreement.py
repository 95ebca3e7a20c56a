import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.db_router import replica_reads
from labels.models import Project
from labels.review import reliability


def number(value: float | None, reason: str | None = None, *, digits: int = 3) -> str:
    """A figure, or "n/a" with the reason it cannot be computed."""
    if value is None:
        return f"n/a ({reason})" if reason else "n/a"
    return f"{value:.{digits}f}"


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


class Command(BaseCommand):
    help = "Inter-annotator agreement of a project: a readable report, or one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print one JSON object"
        )
        parser.add_argument(
            "--resamples", type=int, default=1000, help="bootstrap resamples for alpha's CI"
        )
        parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")

    def handle(
        self,
        *args: object,
        project: str,
        as_json: bool,
        resamples: int,
        seed: int,
        **options: object,
    ) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        if resamples < 0:
            raise CommandError("--resamples must be at least 0 (0 switches the CI off)")
        with replica_reads():  # the dashboard's heavy read: on the replica when there is one
            report = reliability.project_agreement(project=target, resamples=resamples, seed=seed)
        if as_json:
            self.stdout.write(dumps(report))
        else:
            self.stdout.write(describe(target, report))


def dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)


def describe(project: Project, report: dict) -> str:
    """The report as text a reviewer reads top to bottom."""
    reasons = report["reasons"]
    ci = report["alpha_ci95"]
    lines = [
        f"Agreement in {project.name} ({project.slug})",
        "",
        f"Paragraphs with labels: {report['units']} ({report['pairable_units']} with two or "
        f"more); annotations: {report['annotations']}; annotators: {report['annotators']}",
        "",
        "Krippendorff's alpha (nominal): "
        + number(report["krippendorff_alpha"], reasons.get("krippendorff_alpha"))
        + (f"  95% CI [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""),
        f"  {report['alpha_reading']}",
        "Fleiss' kappa: "
        + number(report["fleiss_kappa"], reasons.get("fleiss_kappa"))
        + (
            f"  (over the {report['fleiss_units']} paragraphs with "
            f"{report['fleiss_raters_per_unit']} annotators each)"
            if report["fleiss_raters_per_unit"]
            else ""
        ),
        "Observed agreement: " + share(report["percent_agreement"]),
        "Gwet's AC1: " + number(report["gwet_ac1"], reasons.get("gwet_ac1")),
        f"  {report['ac1_note']}",
        "",
        "Per label (one against the rest):",
        f"  {'label':<16}{'count':>8}{'alpha':>9}{'AC1':>9}",
    ]
    for label, row in report["per_label"].items():
        lines.append(
            f"  {label:<16}{row['count']:>8}{number(row['alpha']):>9}{number(row['ac1']):>9}"
        )
    lines += ["", "Cohen's kappa per annotator pair:"]
    for pair in report["pairwise_cohen_kappa"] or [{"a": "(no pairs)"}]:
        if "b" not in pair:
            lines.append(f"  {pair['a']}")
            continue
        lines.append(
            f"  {pair['a']} × {pair['b']}: {number(pair['kappa'], pair['reason'])}"
            f" over {pair['n']} shared paragraph(s)"
        )
    lines += ["", "Per source (lowest alpha first):"]
    for row in report["per_source"] or [{"source": "(none)"}]:
        if "units" not in row:
            lines.append(f"  {row['source']}")
            continue
        lines.append(
            f"  {row['source']}: alpha {number(row['alpha'], row['reason'])}, "
            f"{row['units']} paragraph(s), {row['disagreeing_units']} disagreement(s)"
        )
    lines += [
        "",
        f"Articles with disagreements: {report['articles_with_disagreements']}; most divided:",
    ]
    for row in report["worst_articles"]:
        lines.append(
            f"  {row['article_id']}: {row['disagreeing_units']} of {row['pairable_units']} "
            f"paragraph(s) disagreed, observed agreement {share(row['percent_agreement'])}"
        )
    scores = report["gold"]["annotators"]
    if scores:
        lines += ["", "Against gold labels:"]
        for row in scores:
            lines.append(
                f"  {row['annotator']}: {share(row['accuracy'])} of {row['compared']} "
                f"gold paragraph(s) right"
            )
    return "\n".join(lines)
