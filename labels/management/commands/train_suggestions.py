import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.models import Project
from labels.suggestions import learning


class Command(BaseCommand):
    help = (
        "Train the project's suggestion model on its decisions and print its held-out accuracy "
        "against the rules on the same articles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object"
        )

    def handle(self, *args: object, project: str, as_json: bool = False, **options: object) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        try:
            training = learning.train_project(project=target)
        except learning.NotEnoughDecisions as exc:
            raise CommandError(str(exc)) from exc
        model = training.model
        report = {
            "project": target.slug,
            "version": model.version,
            "kind": model.kind,
            "active": model.active,
            "articles": model.articles,
            "paragraphs": model.paragraphs,
            "resuggested": training.resuggested,
            **model.metrics,
        }
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        metrics = model.metrics
        self.stdout.write(
            f"model-{model.version} ({model.kind}) of {target.slug!r}: trained on "
            f"{metrics['train_articles']} article(s), judged on {metrics['held_out_articles']} "
            f"held-out article(s), {metrics['model']['paragraphs']} paragraph(s)"
        )
        self.stdout.write(f"  {'':<16}{'model':>8}{'rules':>8}")
        for key, name in (("accuracy", "four-way"), ("body_vs_rest", "body vs rest")):
            self.stdout.write(
                f"  {name:<16}{metrics['model'][key]:>8.3f}{metrics['rules'][key]:>8.3f}"
            )
        labels = sorted(set(metrics["model"]["per_label"]) | set(metrics["rules"]["per_label"]))
        self.stdout.write(f"  {'F1 per label':<16}")
        for label in labels:
            mine = metrics["model"]["per_label"].get(label, {}).get("f1", 0.0)
            theirs = metrics["rules"]["per_label"].get(label, {}).get("f1", 0.0)
            self.stdout.write(f"    {label:<14}{mine:>8.3f}{theirs:>8.3f}")
        if model.active:
            self.stdout.write(
                f"It beats the rules and now makes the suggestions "
                f"({training.resuggested} paragraph(s) of unstarted articles re-suggested)."
            )
        else:
            self.stdout.write("It does not beat the rules; the rules keep making the suggestions.")
