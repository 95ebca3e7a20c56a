"""Files stored with a job (``JobFile``), written and read a part at a time.

An upload of 50 MB read whole, sent as one bytea parameter and read back whole costs several
copies of the file in the web process and again in the worker. Stored in parts of
``PART_BYTES``, each side holds one part at a time: the web process reads the upload (already
spooled to disk by Django) part by part, and the worker copies the parts into a temporary
file that spills to disk past one part, which is what the streaming importers read.
"""

from __future__ import annotations

import io
import tempfile
from typing import IO, BinaryIO

from labels.models import Job, JobFile

PART_BYTES = 4 * 1024 * 1024


def store_file(*, job: Job, name: str, data: bytes | BinaryIO, order: int = 0) -> None:
    """Store one file with the job, in parts. Call inside the transaction that creates the job."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    part = 0
    while True:
        chunk = stream.read(PART_BYTES)
        if not chunk and part:
            return
        JobFile.objects.create(job=job, name=name[:1000], data=chunk, order=order, part=part)
        if len(chunk) < PART_BYTES:
            return
        part += 1


def stored_orders(*, job: Job) -> list[int]:
    """The positions of the job's files, in upload order."""
    return sorted(set(job.files.values_list("order", flat=True)))


def open_stored_file(*, job: Job, order: int = 0) -> tuple[str, IO[bytes]]:
    """The file's name and its bytes as a seekable file (on disk once past one part)."""
    spool = tempfile.SpooledTemporaryFile(max_size=PART_BYTES)  # noqa: SIM115 (the caller closes it)
    name = ""
    part_ids = JobFile.objects.filter(job=job, order=order).order_by("part")
    for part_id in part_ids.values_list("pk", flat=True):
        name, data = JobFile.objects.values_list("name", "data").get(pk=part_id)
        spool.write(data)
        del data  # one part in memory at a time
    spool.seek(0)
    return name, spool
