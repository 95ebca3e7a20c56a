"""Static files in production: the hashed, compressed names that `collectstatic` writes."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CollectedStaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, linking plain names until `collectstatic` has run.

    With DEBUG off, `collectstatic` must use the manifest storage to write the manifest in
    the first place; the test suite and `manage.py check` run without any collected files,
    and their pages link /static/labels/app.css, which WhiteNoise serves from the finders.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:  # no manifest: nothing has been collected
            return name
        return super().stored_name(name)
