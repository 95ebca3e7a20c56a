"""The REST API under /api/v1/ (django-ninja), for pipelines outside the browser.

Owns the routes, their JSON shapes, token authentication (``Authorization: Bearer``) and the
error shape ``{"error": ..., "details": [...]}``. Like the views it only parses, checks access
through ``labels.workflow.access`` and calls one domain function per route, so a token has
exactly its user's rights.

May import: every capability (datasets, review, ingest, jobs, suggestions, workflow) and
``labels.models``; never ``labels.views``.
"""
