from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from labels.models import Membership, Project
from labels.workflow import activity_log, projects


class Command(BaseCommand):
    help = "Add users to a project as annotators or reviewers (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the project's slug")
        parser.add_argument("users", nargs="+", metavar="USER", help="user names")
        parser.add_argument(
            "--role", choices=Membership.Role.values, default=Membership.Role.ANNOTATOR
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="create missing users with an unusable password and print how to set one",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where the app is served, for the set-password links (default: %(default)s)",
        )

    def handle(
        self,
        *args: object,
        slug: str,
        users: list[str],
        role: str,
        create: bool,
        base_url: str,
        **options: object,
    ) -> None:
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f"project {slug!r} does not exist (create_project {slug})")
        try:
            changes = projects.add_members(
                project=project, usernames=users, role=role, create=create
            )
        except projects.MembershipError as exc:
            raise CommandError(f"{exc}; nothing was changed") from None
        changed = [change for change in changes if change.outcome != "unchanged"]
        if changed:
            activity_log.record_command(
                project=project,
                action="members changed",
                detail=", ".join(
                    f"{change.user.get_username()} {change.outcome} as {role}" for change in changed
                ),
            )
        for change in changes:
            name = change.user.get_username()
            if change.outcome == "added":
                self.stdout.write(f"{name}: added to {slug} as {role}")
            elif change.outcome == "role changed":
                self.stdout.write(f"{name}: role changed from {change.previous_role} to {role}")
            else:
                self.stdout.write(f"{name}: already {role} in {slug}")
            if change.created_user:
                uid = urlsafe_base64_encode(force_bytes(change.user.pk))
                token = default_token_generator.make_token(change.user)
                path = reverse("password_reset_confirm", args=[uid, token])
                self.stdout.write(
                    f"  new user {name!r} has no password yet; set one with\n"
                    f"    python manage.py changepassword {name}\n"
                    f"  or send them this one-time link: {base_url.rstrip('/')}{path}"
                )
