"""Review: measuring agreement and deciding gold.

Owns the agreement coefficients (``agreement``, pure NumPy), their aggregation from the
database (``reliability``), the dashboard figures, the disagreement queue and adjudication.

May import: ``labels.models``, ``labels.workflow``, ``labels.suggestions`` and
``labels.ingest``. ``agreement`` and ``dashboard`` are pure: they import no Django.
"""
