"""Send chosen reads (exports, dashboards) to a read replica when one is configured.

Reads go to the replica only inside ``replica_reads()``, so ordinary requests keep
read-your-writes on the primary. Without DATABASE_REPLICA_URL everything uses "default".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


def read_alias() -> str:
    """The database alias that heavy reads should use right now."""
    if _use_replica.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return "default"


@contextmanager
def replica_reads() -> Iterator[str]:
    """Within this block, reads go to the replica (if configured); yields the alias used."""
    token = _use_replica.set(True)
    try:
        yield read_alias()
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: object) -> str | None:
        return REPLICA if read_alias() == REPLICA else None

    def db_for_write(self, model: type, **hints: object) -> str | None:
        return "default"

    def allow_relation(self, obj1: object, obj2: object, **hints: object) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"
