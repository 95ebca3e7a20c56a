from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from labels.datasets import card, export
from labels.datasets.gold import DEFAULT_POLICY, GoldPolicy, InvalidPolicy
from labels.datasets.splits import DEFAULT_SPLIT, InvalidSplit, parse_split
from labels.jobs import webhooks
from labels.models import Project
from labels.workflow import activity_log


class Command(BaseCommand):
    help = (
        "Export gold labels as JSONL (one paragraph or one article per line) or as an "
        "articleBody ground-truth.json, with an optional dataset card."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--out", default="-", help="file to write (atomically) or - for stdout")
        parser.add_argument("--format", dest="fmt", default="jsonl", choices=export.FORMATS)
        parser.add_argument(
            "--unit",
            choices=export.UNITS,
            help="jsonl and parquet: one row per paragraph (default) or per article",
        )
        parser.add_argument(
            "--min-annotations", type=int, default=DEFAULT_POLICY.min_annotations, metavar="N"
        )
        parser.add_argument(
            "--min-agreement", type=float, default=DEFAULT_POLICY.min_agreement, metavar="X"
        )
        parser.add_argument(
            "--include-unresolved",
            action="store_true",
            help="also write annotated paragraphs no rule decided, with label null",
        )
        parser.add_argument("--split", default=DEFAULT_SPLIT.spec(), metavar="80/10/10")
        parser.add_argument(
            "--anonymize", action="store_true", help="stable per-project annotator pseudonyms"
        )
        parser.add_argument(
            "--card", metavar="FILE", help="write the dataset card as JSON here (and FILE.md)"
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            self.export(**options)
        except DatabaseError as exc:
            # The snapshot transaction rolled back; the atomic writer left no partial file.
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"database error, nothing was written ({reason})") from None

    def export(self, **options: object) -> None:
        target = Project.objects.filter(slug=options["project"]).first()
        if target is None:
            raise CommandError(f"no project {options['project']!r}")
        try:
            settings = export.ExportOptions(
                fmt=options["fmt"],
                unit=options["unit"] or "paragraph",
                policy=GoldPolicy(
                    min_annotations=options["min_annotations"],
                    min_agreement=options["min_agreement"],
                ),
                include_unresolved=options["include_unresolved"],
                split=parse_split(options["split"]),
                anonymize=options["anonymize"],
            )
        except (InvalidPolicy, InvalidSplit, export.InvalidOptions) as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')} {exc.reason}") from None
        card_path = Path(options["card"]) if options["card"] else None
        if card_path is not None and card_path.suffix.lower() == ".md":
            raise CommandError(
                "--card: give the JSON path; the Markdown twin is written next to it"
            )
        stats = export.ExportStats()
        blocks = export.export_bytes(
            project=target, options=settings, stats=stats, with_agreement=card_path is not None
        )
        out = options["out"]
        if out == "-" and settings.fmt == "parquet":
            # Binary: straight to the byte stream under stdout, never through text decoding.
            binary = getattr(self.stdout._out, "buffer", None)
            if binary is None:
                raise CommandError("--format parquet is binary: give --out FILE")
            self.stdout.flush()
            for block in blocks:
                binary.write(block)
            binary.flush()
            file_name = settings.file_name
        elif out == "-":
            for block in blocks:
                self.stdout.write(block.decode("utf-8"), ending="")
            self.stdout.flush()
            file_name = settings.file_name
        else:
            export.write_atomically(blocks, out=Path(out))
            file_name = Path(out).name
        webhooks.notify(
            project=target,
            event="export.finished",
            data={
                "file": file_name,
                "lines": stats.lines,
                "bytes": stats.bytes,
                "sha256": stats.sha256,
            },
        )
        if card_path is not None:
            document = card.build_card(
                project=target, options=settings, stats=stats, file_name=file_name
            )
            markdown_path = card.write_card(card=document, path=card_path)
            self.stderr.write(f"Dataset card: {card_path} and {markdown_path}")
        activity_log.record_command(
            project=target,
            action="exported",
            detail=f"{file_name}: {stats.lines} line(s), {stats.bytes} bytes",
        )
        self.stderr.write(
            f"{stats.lines} line(s): {stats.paragraphs} paragraph(s) of {stats.articles} "
            f"article(s); {stats.project_unresolved} unresolved and "
            f"{stats.project_unlabelled} unlabelled paragraph(s) in the project."
        )
