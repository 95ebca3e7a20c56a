from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.workflow import api_tokens


class Command(BaseCommand):
    help = (
        "Create a personal API token for USER. The token is printed once, alone on the last "
        "line; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", metavar="USER")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: object, user: str, name: str, **options: object) -> None:
        owner = api_tokens.user_named(user)
        if owner is None:
            raise CommandError(f"no user {user!r}")
        try:
            new = api_tokens.create_token(user=owner, name=name)
        except api_tokens.InvalidTokenName as exc:
            raise CommandError(f"--{exc}") from None
        self.stdout.write(
            f"Created API token {new.token.name!r} for {owner.get_username()!r}. "
            "Send it as 'Authorization: Bearer <token>'; it is not shown again:"
        )
        self.stdout.write(new.secret)
