import os
import secrets
import shlex
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from labels.datasets import annotation_exchange
from labels.datasets.annotation_records import AnnotationRecord, RecordErrors
from labels.ingest import importing
from labels.jobs import search_index, suggesting
from labels.models import Article, Assignment, Membership, Project
from labels.workflow import activity_log, projects

# Real news pages from corpus/ (see corpus/README.md) so the demo shows web pages with photo
# captions, embedded quotes, subscription prompts and related links, not only the text seed.
DEMO_PAGES = (
    "921019755f4a96ac4abf9dbcb4ef9d5ac202624a542d5ea70912330aa6fcc71f",  # news.sky.com
    "d1c57d7821e5a5b27fb468c59489601bb2a042b1c05221166e3221d2b5dc217f",  # spacenews.com
    "82b6d780c792df78dcfb00484d50c86fbc7f324a9eb5835b7615f028edb9a574",  # hosted.ap.org
    "8267acacb9e4a109b1f7ee7bafe735b73e9c94180b703b131f9e90c9be044f39",  # hollywoodreporter.com
    "7a457a4f71735c17b8b34fafc88835d225cf879b2d812311857a64cfc891eee9",  # nbcnews.com
)

DEMO_GUIDELINES = """\
Label **every** paragraph by what it is on the page, not by what it says.

| label | use it for |
| --- | --- |
| Body | the article's own running text, including its subheadings |
| Boilerplate | navigation, bylines and dates, share and subscribe pitches, "Related content", ads, legal lines |
| Quote | a pull quote or a quoted passage set apart from the text |
| Caption | the text under or beside a photo, video or chart |

Unsure? Press `f` to flag the paragraph with a note, then pick your best guess.
Runs of boilerplate: press `Shift` with the label key on the first one.
"""

DEMO_USERS = (
    ("admin", Membership.Role.REVIEWER, True),
    ("annie", Membership.Role.ANNOTATOR, False),
    ("bob", Membership.Role.ANNOTATOR, False),
)
# Three annotators per article, so after annie and bob someone else (admin) can still label.
DEMO_OVERLAP = 3

# How annie and bob labelled the seed article, paragraph by paragraph, so the agreement
# dashboard has real figures. They agree on most paragraphs and split where people really
# do: the standfirst quote, the dateline block with its photo tag, and a body paragraph
# made of a quotation.
B, P, Q, C = "body", "boilerplate", "quote", "caption"
DEMO_LABELS = {
    "000_d93e8ff5672328ba": {
        "annie": [B, Q, P, C, P, P, P, P, P, P, P, P, B, B, P, B, B, B, Q, Q, P, P],
        "bob": [B, B, C, C, P, P, P, P, P, P, P, P, B, B, P, B, B, B, B, Q, P, P],
    }
}
DEMO_TIME = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Create the demo project from seeds/ and a few corpus/ web pages, and demo users "
        "(passwords printed once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", default="demo")
        parser.add_argument("--seeds", default=str(Path(settings.BASE_DIR) / "seeds"))
        parser.add_argument(
            "--corpus",
            default=str(Path(settings.BASE_DIR) / "corpus" / "html"),
            help="folder holding the corpus pages listed in DEMO_PAGES",
        )

    def handle(
        self, *args: object, project: str, seeds: str, corpus: str, **options: object
    ) -> None:
        target, created = projects.get_or_create_project(slug=project)
        if created:
            # The demo shows suggested labels; reviewers can hide them on the project's
            # "Suggested labels" page.
            target.name = "Demo: news paragraphs"
            target.guidelines = DEMO_GUIDELINES
            target.show_suggestions = True
            target.overlap = DEMO_OVERLAP
            target.save(update_fields=["name", "guidelines", "show_suggestions", "overlap"])
        pages = [Path(corpus) / f"{page}.html" for page in DEMO_PAGES]
        for label, paths in (("Seeds", [seeds]), ("Corpus pages", pages)):
            summary = importing.import_paths(project=target, paths=paths)
            # The demo's few suggestions and its search text are computed now, so it is
            # ready without a worker.
            suggesting.suggest_now(project=target)
            search_index.index_now(project=target)
            self.stdout.write(f"{label}: {summary.describe()}")
            if summary.articles:
                activity_log.record_command(
                    project=target,
                    action="imported",
                    detail=f"{label.lower()}: {summary.describe()}",
                )
            for error in summary.errors:
                self.stderr.write(error)

        user_model = get_user_model()
        for username, role, staff in DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(9)
                user = user_model.objects.create_user(
                    username=username, password=password, is_staff=staff, is_superuser=staff
                )
                self.stdout.write(f"  created {username!r} ({role}) password: {password}")
            else:
                self.stdout.write(
                    f"  {username!r} exists (reset with: {changepassword_command(username)})"
                )
            Membership.objects.get_or_create(project=target, user=user, defaults={"role": role})
        self.stdout.write(f"Demo labels: {add_demo_labels(project=target)}")


def add_demo_labels(*, project: Project) -> str:
    """Give the seed article annie's and bob's submitted labels, once; says what happened.

    Goes through the annotation import, so the assignments are submitted and the article's
    open slots stay right. Skipped when either of them already has work on the article.
    """
    records = []
    for external_id, by_annotator in DEMO_LABELS.items():
        article = Article.objects.filter(project=project, external_id=external_id).first()
        if article is None:
            return f"skipped (no article {external_id!r} in {project.slug!r})"
        if Assignment.objects.filter(
            article=article, annotator__username__in=by_annotator
        ).exists():
            return "already there"
        for annotator, labels in by_annotator.items():
            records += [
                AnnotationRecord(
                    article_id=external_id,
                    index=index,
                    annotator=annotator,
                    label=label,
                    created_at=DEMO_TIME + timedelta(minutes=index),
                    line=len(records) + index + 1,
                )
                for index, label in enumerate(labels)
            ]
    try:
        summary = annotation_exchange.import_records(
            project=project, records=records, name="demo labels"
        )
    except RecordErrors as exc:
        return "skipped: " + "; ".join(exc.lines())
    return summary.describe()


def changepassword_command(username: str) -> str:
    """A shell command that resets the password from the directory ``make run`` runs in.

    It names this interpreter (the project's venv, not whatever ``python`` is on PATH) and
    repeats the DEBUG and DATABASE_URL this process was started with (``make run`` sets DEBUG=1,
    which lets settings load without a SECRET_KEY), so it works pasted exactly as printed.
    """
    python = sys.executable
    relative = os.path.relpath(python)
    if not relative.startswith(".."):
        python = relative if os.sep in relative else f".{os.sep}{relative}"
    env = [
        f"{name}={shlex.quote(os.environ[name])}"
        for name in ("DEBUG", "DATABASE_URL")
        if os.environ.get(name)
    ]
    return " ".join(
        [*env, shlex.quote(python), "manage.py", "changepassword", shlex.quote(username)]
    )
