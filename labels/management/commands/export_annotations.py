from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.db_router import replica_reads
from labels.datasets import export
from labels.datasets.annotation_exchange import annotation_records
from labels.datasets.annotation_records import record_line
from labels.models import Project
from labels.workflow import activity_log


class Command(BaseCommand):
    help = (
        "Export every annotation of submitted assignments as JSONL, in the shape "
        "import_annotations reads (so the two round-trip exactly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--out", default="-", help="file to write (atomically) or - for stdout")

    def handle(self, *args: object, project: str, out: str, **options: object) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        count = 0
        # Like export_gold: one snapshot, read on the replica when there is one.
        with replica_reads() as alias, export.snapshot(using=alias):
            lines = (record_line(record) for record in annotation_records(project=target))
            if out == "-":
                for line in lines:
                    self.stdout.write(line, ending="")
                    count += 1
                self.stdout.flush()
            else:

                def counted() -> Iterator[bytes]:
                    nonlocal count
                    for line in lines:
                        count += 1
                        yield line.encode("utf-8")

                export.write_atomically(counted(), out=Path(out))
        activity_log.record_command(
            project=target,
            action="annotations exported",
            detail=f"{count} annotation(s)",
        )
        self.stderr.write(f"{count} annotation(s) exported.")
