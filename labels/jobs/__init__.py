"""Jobs: long work run by the background worker, with progress people can watch.

Owns our ``Job`` record (status, progress done/total, per-file results, ``FILE:LINE`` errors,
retry), worker heartbeats (a stopped worker shows as such), the suggestion job that follows
every import, and webhook deliveries. The queue itself is django-tasks' database backend:
no broker, the same database as everything else (docs/operations.md says why).

May import: ``labels.models``, ``labels.suggestions`` and ``labels.workflow``. Jobs that run
imports and exports live with their capability (``labels.ingest.import_jobs``), above this
package, and use ``records`` to report.
"""
