from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from labels.datasets import annotation_exchange
from labels.datasets.annotation_records import RecordErrors
from labels.ingest.parsing import printable_name
from labels.ingest.progress import TerminalProgress
from labels.models import Project
from labels.workflow import activity_log


class Command(BaseCommand):
    help = (
        "Import annotations from JSONL ({article_id, index, annotator, label, created_at?} per "
        "line) as submitted assignments. The file is read line by line; any bad line writes "
        "nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--create-users",
            action="store_true",
            help="create unknown annotators (no usable password) as annotators of the project",
        )
        parser.add_argument(
            "--no-progress",
            dest="show_progress",
            action="store_false",
            help="print no progress (by default: a bar on a terminal, a line every 5 s otherwise)",
        )

    def handle(
        self,
        *args: object,
        file: str,
        project: str,
        create_users: bool,
        show_progress: bool,
        **options: object,
    ) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        path = Path(file)
        shown = printable_name(file)
        try:
            stream = path.open("rb")
            size = path.stat().st_size
        except OSError as exc:
            self.stderr.write(f"{shown}: cannot read: {exc.strerror}")
            raise SystemExit(1) from None
        # Progress goes to stderr, so stdout keeps only the outcome.
        progress = TerminalProgress(self.stderr._out) if show_progress else None
        try:
            with stream:
                summary = annotation_exchange.import_annotations(
                    project=target,
                    data=stream,
                    name=file,
                    create_users=create_users,
                    progress=progress,
                    total_bytes=size,
                )
        except RecordErrors as exc:
            if progress is not None:
                progress.close()
            for line in exc.lines():
                self.stderr.write(line)
            self.stderr.write(f"{shown}: nothing imported ({exc.total} error(s))")
            raise SystemExit(1) from None
        except OSError as exc:
            if progress is not None:
                progress.close()
            self.stderr.write(f"{shown}: cannot read: {exc}; nothing imported")
            raise SystemExit(1) from None
        except DatabaseError as exc:
            # A deadlock with a labelling annotator, or the connection dropped: rolled back.
            if progress is not None:
                progress.close()
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.stderr.write(f"{shown}: database error, nothing imported ({reason})")
            raise SystemExit(1) from None
        if progress is not None:
            progress.close()
        activity_log.record_command(
            project=target,
            action="annotations imported",
            detail=f"{path.name}: {summary.describe()}",
        )
        self.stdout.write(f"{shown}: {summary.describe()}")
