from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.models import Project
from labels.workflow import projects


class Command(BaseCommand):
    help = "Create a project with an ordered label set (keys 1, 2, 3 ... in that order)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name")
        parser.add_argument(
            "--labels",
            help="comma-separated label values (default: body,boilerplate,quote,caption)",
        )
        parser.add_argument("--overlap", type=int, default=2)

    def handle(
        self,
        *args: object,
        slug: str,
        name: str | None,
        labels: str | None,
        overlap: int,
        **options: object,
    ) -> None:
        if Project.objects.filter(slug=slug).exists():
            raise CommandError(f"project {slug!r} already exists")
        try:
            project = projects.create_project(
                slug=slug,
                name=name,
                labels=labels.split(",") if labels is not None else None,
                overlap=overlap,
            )
        except projects.InvalidLabelSet as exc:
            raise CommandError(f"--labels: {exc}") from None
        keys = ", ".join(f"{label.key}={label.value}" for label in project.labels.all())
        self.stdout.write(f"Created project {project.slug!r} (overlap {project.overlap}; {keys}).")
