"""Workflow: the labelling work itself.

Owns projects and memberships, who may see what (``access``), the assignment queue, the label
writes with their append-only history and undo, guidelines and the progress figures.

May import: ``labels.models`` only. Every other capability builds on it, so it builds on none.
"""
