"""Django's database sessions, with the read that every request makes done in plain SQL.

SESSION_ENGINE points here. Sessions stay rows of django_session, written, expired, flushed
on logout and cleared by ``clearsessions`` exactly as Django's ``db`` engine does; only
``load`` differs. Why: every logged-in request loads its session, and building and compiling
that one ORM query cost about 0.3 ms of CPU, a tenth of a whole label POST (docs/benchmarks.md,
"Benchmarks"). The SELECT below is the one the ORM sends.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data, or {} (and no key, so a new one is made) if it is unknown or
        expired: the same contract as Django's ``db`` engine."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('session_data')} FROM {quote(model._meta.db_table)} "
                f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # A key the client made up or kept past expiry is never reused (no fixation).
            self._session_key = None
            return {}
        return self.decode(row[0])
