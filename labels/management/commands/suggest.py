from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.models import Project
from labels.suggestions import preannotation, suggest


class Command(BaseCommand):
    help = "Recompute the suggested label of every paragraph of a project (after a rule change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")

    def handle(self, *args: object, project: str, **options: object) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        counts = preannotation.resuggest_project(project=target)
        for (label, source), n in sorted(counts.items()):
            self.stdout.write(f"  {label:<14} from {source:<12} {n:>8}")
        self.stdout.write(
            f"{sum(counts.values())} paragraph(s) of {target.slug!r} suggested "
            f"(rules {suggest.VERSION})."
        )
