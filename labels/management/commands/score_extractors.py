import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.datasets import extractor_scores
from labels.ingest import pages
from labels.models import Project


class Command(BaseCommand):
    help = (
        "Score article extractors against the project's gold articleBody with the public "
        "article-extraction benchmark's metric (docs/suggestions.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--extractor",
            action="append",
            default=[],
            metavar="NAME",
            help=f"one of {', '.join(extractor_scores.EXTRACTORS)} (repeat; default: all installed)",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object"
        )

    def handle(
        self,
        *args: object,
        project: str,
        extractor: list[str],
        as_json: bool = False,
        **options: object,
    ) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        try:
            run = extractor_scores.score_extractors(project=target, names=extractor)
        except (extractor_scores.UnknownExtractor, extractor_scores.NothingToScore) as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            report = {
                name: {key: value for key, value in result.items() if key != "worst"}
                for name, result in run.results.items()
            }
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        stored = pages.stored_pages(project=target)
        articles = max((r["articles"] for r in run.results.values()), default=0)
        self.stdout.write(
            f"{articles} gold article(s) of {target.slug!r} with a stored page "
            f"({stored.pages} page(s) kept, {stored.stored_bytes:,} bytes stored)"
        )
        self.stdout.write(
            f"  {'extractor':<18}{'F1':>14}{'precision':>11}{'recall':>9}{'accuracy':>10}"
        )
        for name, result in sorted(run.results.items(), key=lambda item: -item[1]["f1"]):
            self.stdout.write(
                f"  {name:<18}{result['f1']:>7.3f} ± {result['f1_std']:.3f}"
                f"{result['precision']:>11.3f}{result['recall']:>9.3f}{result['accuracy']:>10.3f}"
            )
