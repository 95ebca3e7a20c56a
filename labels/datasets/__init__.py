"""Datasets: what leaves the app.

Owns the gold policy (``gold``, pure), deterministic splits (``splits``, pure), the streaming
gold export, the dataset card and the annotation exchange format (export and import of raw
labels).

May import: every capability below it (review, ingest, suggestions, workflow) and
``labels.models``. ``gold``, ``splits`` and ``annotation_records`` are pure: no Django.
"""
