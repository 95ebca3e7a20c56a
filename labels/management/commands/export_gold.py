from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels import export
from labels.models import Project


class Command(BaseCommand):
    help = "Export gold labels as JSONL, one paragraph per line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--out", default="-", help="file to write (atomically) or - for stdout")
        parser.add_argument("--min-annotations", type=int, default=1)

    def handle(
        self, *args: object, project: str, out: str, min_annotations: int, **options: object
    ) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        if min_annotations < 1:
            raise CommandError("--min-annotations must be at least 1")
        lines = export.jsonl_lines(
            export.paragraph_rows(project=target, min_annotations=min_annotations)
        )
        if out == "-":
            count = export.write_lines(lines, self.stdout)
            self.stdout.flush()
        else:
            count = export.write_atomically(lines, out=Path(out))
        self.stderr.write(f"{count} gold paragraph(s) exported.")
