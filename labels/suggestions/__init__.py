"""Suggestions: proposed labels for stored paragraphs.

Owns the rules (``suggest``, pure), site memory (the team's earlier decisions on text repeated
across a site) and pre-annotation (storing suggestions and accepting them as labels).

May import: ``labels.models`` and ``labels.workflow`` (accepting a suggestion is a label write).
``suggest`` is pure: it imports no Django.
"""
