from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.ingest import pages
from labels.models import Project


class Command(BaseCommand):
    help = (
        "Delete the original HTML pages stored for a project's articles (labels and gold stay; "
        "extractors can no longer be scored on those articles)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")

    def handle(self, *args: object, project: str, **options: object) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        before = pages.stored_pages(project=target)
        deleted = pages.purge_pages(project=target)
        self.stdout.write(
            f"Deleted {deleted} stored page(s) of {target.slug!r} "
            f"({before.stored_bytes:,} bytes stored, {before.original_bytes:,} as imported)."
        )
