from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.datasets import annotation_exchange
from labels.datasets.annotation_records import RecordErrors
from labels.models import Project


class Command(BaseCommand):
    help = (
        "Import annotations from JSONL ({article_id, index, annotator, label, created_at?} per "
        "line) as submitted assignments. Every line is checked first; any error writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--create-users",
            action="store_true",
            help="create unknown annotators (no usable password) as annotators of the project",
        )

    def handle(
        self, *args: object, file: str, project: str, create_users: bool, **options: object
    ) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"no project {project!r}")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"{file}: cannot read: {exc.strerror}")
            raise SystemExit(1) from None
        try:
            summary = annotation_exchange.import_annotations(
                project=target, data=data, name=file, create_users=create_users
            )
        except RecordErrors as exc:
            for line in exc.lines():
                self.stderr.write(line)
            self.stderr.write(f"{file}: nothing imported ({exc.total} error(s))")
            raise SystemExit(1) from None
        self.stdout.write(f"{file}: {summary.describe()}")
