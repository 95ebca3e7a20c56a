import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from labels import importing, projects
from labels.models import Membership

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


class Command(BaseCommand):
    help = "Create the demo project from seeds/ and demo users (passwords printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", default="demo")
        parser.add_argument("--seeds", default=str(Path(settings.BASE_DIR) / "seeds"))

    def handle(self, *args: object, project: str, seeds: str, **options: object) -> None:
        target, created = projects.get_or_create_project(slug=project)
        if created:
            target.name = "Demo: news paragraphs"
            target.guidelines = DEMO_GUIDELINES
            target.save(update_fields=["name", "guidelines"])
        summary = importing.import_paths(project=target, paths=[seeds])
        self.stdout.write(f"Seeds: {summary.describe()}")
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
                    f"  {username!r} exists (reset with: python manage.py changepassword {username})"
                )
            Membership.objects.get_or_create(project=target, user=user, defaults={"role": role})
