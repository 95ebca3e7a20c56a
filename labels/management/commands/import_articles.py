from django.core.management.base import BaseCommand, CommandParser

from labels.ingest import importing
from labels.ingest.parsing import printable_name
from labels.ingest.progress import TerminalProgress
from labels.workflow import activity_log, projects


class Command(BaseCommand):
    help = "Import articles from txt / jsonl / html files, zip archives or folders into a project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", dest="fmt", default="auto", choices=importing.FORMATS)
        parser.add_argument(
            "--no-suggestions",
            dest="suggest",
            action="store_false",
            help="store no suggested labels now (run `manage.py suggest` later)",
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
        paths: list[str],
        project: str,
        fmt: str,
        suggest: bool,
        show_progress: bool,
        **options: object,
    ) -> None:
        target, created = projects.get_or_create_project(slug=project)
        if created:
            self.stdout.write(f"Created project {target.slug!r} with the default labels.")
        # Progress goes to stderr, so stdout keeps only the outcomes.
        progress = TerminalProgress(self.stderr._out) if show_progress else None
        try:
            summary = importing.import_paths(
                project=target, paths=paths, fmt=fmt, suggest=suggest, progress=progress
            )
        finally:
            if progress is not None:
                progress.close()
        for outcome in summary.outcomes:
            if outcome.error:
                self.stderr.write(outcome.error)
            elif outcome.skipped:
                self.stderr.write(f"{printable_name(outcome.path)}: skipped: {outcome.skipped}")
            else:
                self.stdout.write(
                    f"{printable_name(outcome.path)}: {outcome.articles} imported, "
                    f"{outcome.duplicates} duplicate(s), {outcome.paragraphs} paragraph(s)"
                )
        self.stdout.write(summary.describe())
        if summary.outcomes:
            activity_log.record_command(
                project=target,
                action="imported",
                detail=summary.describe(),
            )
        if suggest and summary.articles:
            self.stdout.write(
                "Suggested labels follow as a background job (run `make worker`); projects "
                "that show suggestions offer the new articles once theirs are stored."
            )
        if summary.errors or not summary.outcomes:
            if not summary.outcomes:
                self.stderr.write("no supported files found")
            raise SystemExit(1)
