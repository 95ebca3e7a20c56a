"""Thin typed function views, one module per screen family (annotate, review, export ...)."""
