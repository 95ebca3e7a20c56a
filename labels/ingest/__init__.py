"""Ingest: reading bytes into articles and paragraphs, and storing them.

Owns the input formats (txt, JSONL, HTML pages, zip archives), the trafilatura extraction that
marks paragraphs while a page is parsed, and the import transaction (one per file, dedup by
content hash, COPY for big batches).

May import: ``labels.models``, ``labels.suggestions`` (suggestions are computed for what was
just imported) and ``labels.workflow``. ``parsing`` is pure: it imports no Django.
"""
