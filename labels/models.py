"""The data model: projects of articles split into paragraphs, labelled by annotators.

Constraints live here; the write paths that keep them (queue, annotating, gold) live in their
own modules. No signals and no logic in save().
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_LABELS = (
    ("body", "Body", "1"),
    ("boilerplate", "Boilerplate", "2"),
    ("quote", "Quote", "3"),
    ("caption", "Caption", "4"),
)


class LabelColour(models.TextChoices):
    """The palette a label's colour is chosen from (Okabe-Ito based, told apart by people with
    the common colour-vision deficiencies). The CSS defines each as a class, ``colour-<value>``:
    the content security policy allows no inline styles, so colours cannot be free hex codes."""

    BLUE = "blue", "Blue"
    ORANGE = "orange", "Orange"
    GREEN = "green", "Green"
    PINK = "pink", "Pink"
    VERMILION = "vermilion", "Vermilion"
    SKY = "sky", "Sky blue"
    PURPLE = "purple", "Purple"
    BROWN = "brown", "Brown"
    GREY = "grey", "Grey"


# The default four keep the colours the screens have always shown for them.
DEFAULT_COLOURS = {"body": "blue", "boilerplate": "grey", "quote": "pink", "caption": "orange"}


def free_colour(value: str, used: list[str]) -> str:
    """A colour for a new label: its customary one, else the first in the palette not yet
    used in the project, else (more labels than colours) the palette again in order.
    ``used`` holds the colours of the project's other labels, one per label."""
    preferred = DEFAULT_COLOURS.get(value)
    if preferred is not None and preferred not in used:
        return preferred
    for colour in LabelColour.values:
        if colour not in used:
            return colour
    return LabelColour.values[len(used) % len(LabelColour.values)]


class Project(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True, help_text="Markdown; shown to annotators.")
    overlap = models.PositiveSmallIntegerField(
        default=2, help_text="How many different annotators label each article."
    )
    assignment_timeout = models.DurationField(
        default=timedelta(hours=24),
        help_text="An in-progress assignment idle this long is released to others.",
    )
    show_suggestions = models.BooleanField(
        default=False,
        help_text="Show pre-annotation suggestions to annotators (off for unbiased agreement).",
    )
    retrain_every = models.PositiveIntegerField(
        default=200,
        help_text="Retrain the suggestion model after this many new decisions "
        "(gold labels and submitted labels); 0 trains only on demand.",
    )
    uncertainty_first = models.BooleanField(
        default=False,
        help_text="Offer annotators the articles the suggestion model is least sure of first.",
    )
    paused = models.BooleanField(
        default=False, help_text="Paused: nobody claims a new article; work in progress may finish."
    )
    control_every = models.PositiveSmallIntegerField(
        default=0, help_text="Give each annotator a control item every N articles (0: never)."
    )
    control_warning = models.FloatField(
        default=0.8, help_text="Warn when an annotator's accuracy on control items is below this."
    )
    min_seconds_per_paragraph = models.FloatField(
        default=1.0,
        help_text="Submissions faster than this (active seconds per paragraph) are listed as "
        "suspicious for reviewers.",
    )
    # Up to when labels.review.article_summary has folded changes into ArticleSummary rows.
    summaries_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="project_overlap_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    """One entry of a project's ordered label set, with the key that applies it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    value = models.SlugField(max_length=64)
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=1, help_text="Keyboard shortcut, one character.")
    order = models.PositiveSmallIntegerField(default=0)
    colour = models.CharField(max_length=16, choices=LabelColour.choices, default=LabelColour.BLUE)

    class Meta:
        ordering = ["project", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "value"], name="label_value_unique"),
            models.UniqueConstraint(fields=["project", "key"], name="label_key_unique"),
        ]

    def __str__(self) -> str:
        return self.value


class Membership(models.Model):
    class Role(models.TextChoices):
        ANNOTATOR = "annotator", "Annotator"
        REVIEWER = "reviewer", "Reviewer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"


class Article(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="articles")
    external_id = models.CharField(max_length=255)
    title = models.TextField(blank=True)
    url = models.TextField(blank=True)
    source = models.CharField(max_length=255, blank=True, help_text="Site or import source.")
    meta = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the paragraph texts.")
    # Denormalised: overlap minus live (in progress or submitted) assignments. Kept in step by
    # labels.workflow.queue inside the transaction that changes an assignment, so the next-article
    # query is one index range scan however many articles the project holds.
    open_slots = models.PositiveSmallIntegerField(default=0)
    # False from the import until the background job has stored the article's suggestions;
    # projects that show suggestions offer an article to annotators only once it is True.
    suggestions_ready = models.BooleanField(default=True)
    # Mean confidence of the article's stored suggestions (NULL: none yet); the queue offers
    # the least certain first when the project asks for it (uncertainty_first).
    suggestion_certainty = models.FloatField(null=True, blank=True)
    # Higher first: the queue offers articles of a higher priority before its usual order.
    priority = models.SmallIntegerField(default=0)
    # Set when a reviewer made this fully decided article a control item (labels.review.controls).
    control_since = models.DateTimeField(null=True, blank=True)
    # False from the import until the background job has stored its ArticleText; until then
    # the data manager searches the article's paragraphs themselves.
    search_indexed = models.BooleanField(default=False, db_default=False)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "content_hash"], name="article_hash_unique"),
            models.UniqueConstraint(fields=["project", "external_id"], name="article_id_unique"),
        ]
        indexes = [
            models.Index(
                fields=["project", "open_slots", "id"],
                name="article_open_slots",
                condition=Q(open_slots__gt=0),
            ),
            models.Index(fields=["project", "source"], name="article_source"),
            models.Index(
                "project",
                models.F("priority").desc(),
                "open_slots",
                "id",
                name="article_priority_open",
                condition=Q(open_slots__gt=0),
            ),
            models.Index(fields=["project", "imported_at"], name="article_imported"),
            models.Index(
                fields=["project"], name="article_not_indexed", condition=Q(search_indexed=False)
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class ArticleText(models.Model):
    """An article's paragraph texts, one row per article, for the data manager's substring
    search (a trigram index on PostgreSQL, created by the migration).

    Written by a background job after the import (labels.jobs.search_index), not by the import
    itself: a trigram index costs about 80 microseconds per paragraph to maintain, which cut the
    import from about 33,000 to 8,700 paragraphs/s when every paragraph carried one. One row per
    article also holds each trigram once, not once per paragraph.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="search_text"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    # Paragraphs joined by a newline: a search term (one line) matches within a paragraph.
    text = models.TextField()

    def __str__(self) -> str:
        return f"search text of article {self.article_id}"


class Paragraph(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="paragraphs")
    index = models.PositiveIntegerField()
    text = models.TextField()
    meta = models.JSONField(default=dict, blank=True)
    # SHA-256 of the whitespace-normalised, lower-cased text: finds the same footer or pitch
    # across articles of one site.
    text_hash = models.CharField(max_length=64, blank=True, db_index=True)
    suggested_label = models.CharField(max_length=64, blank=True)
    suggestion_confidence = models.FloatField(null=True, blank=True)
    suggestion_source = models.CharField(max_length=64, blank=True)
    suggestion_version = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["article", "index"]
        constraints = [
            models.UniqueConstraint(fields=["article", "index"], name="paragraph_index_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}#{self.index}"


class Assignment(models.Model):
    """One annotator's turn at one article."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        SKIPPED = "skipped", "Skipped"
        RELEASED = "released", "Released (idle too long)"

    LIVE = (Status.IN_PROGRESS, Status.SUBMITTED)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    active_seconds = models.FloatField(default=0)
    skip_reason = models.CharField(max_length=500, blank=True)
    # Work control by a reviewer: who took the article back (status released), or the note of
    # a submitted article returned for correction (in progress again, offered first).
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "annotator"], name="assignment_one_per_annotator"
            ),
        ]
        indexes = [
            models.Index(fields=["annotator", "status"], name="assignment_annotator_status"),
            models.Index(fields=["status", "last_activity_at"], name="assignment_activity"),
            models.Index(fields=["last_activity_at"], name="assignment_last_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.annotator} on {self.article} ({self.status})"


class Annotation(models.Model):
    """One annotator's current label for one paragraph; updated in place."""

    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="annotations")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="annotations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    from_suggestion = models.BooleanField(
        default=False, help_text="The annotator accepted the suggested label."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "assignment"], name="annotation_one_per_assignment"
            ),
        ]
        indexes = [models.Index(fields=["assignment", "paragraph"], name="annotation_assignment")]

    def __str__(self) -> str:
        return f"{self.paragraph} = {self.label}"


class AnnotationEvent(models.Model):
    """Append-only history of every label change: undo reads it, nothing is ever lost."""

    class Action(models.TextChoices):
        SET = "set", "Set"
        UNDO = "undo", "Undo"
        ACCEPT_SUGGESTION = "accept", "Accepted suggestion"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.SET)
    label = models.ForeignKey(
        Label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_label = models.ForeignKey(
        Label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Events written by one keypress that changed several paragraphs (a Shift+key run, or the
    # undo of one) share a batch, so undo reverts the keypress as a whole. NULL: a single event.
    batch = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["assignment", "-id"], name="event_assignment_latest")]

    def __str__(self) -> str:
        return f"{self.action} {self.paragraph_id} -> {self.label_id}"


class Flag(models.Model):
    """An annotator marks a paragraph as unsure, with an optional note for reviewers."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="flags")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="flags")
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reply = models.CharField(max_length=1000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "paragraph"], name="flag_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="flag_created")]

    def __str__(self) -> str:
        return f"flag on {self.paragraph_id}"


class GoldLabel(models.Model):
    """The accepted label of a paragraph, decided by a reviewer or an explicit rule."""

    class Source(models.TextChoices):
        ADJUDICATED = "adjudicated", "Adjudicated by a reviewer"
        MAJORITY = "majority", "Accepted majority"
        SITE_MEMORY = "site_memory", "Applied from a recurring paragraph"
        IMPORTED = "imported", "Imported"

    paragraph = models.OneToOneField(Paragraph, on_delete=models.CASCADE, related_name="gold")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="gold_labels")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADJUDICATED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now=True)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["decided_at"], name="gold_decided")]

    def __str__(self) -> str:
        return f"{self.paragraph} = {self.label} ({self.source})"


class Job(models.Model):
    """Long work run by the background worker, with the progress and outcome people see.

    The queue itself is django-tasks' database backend (``task_id`` names its row); this
    record is ours: what the job is for, how far it got, and why it failed.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", "Import articles"
        SUGGEST = "suggest", "Compute suggestions"
        ANNOTATION_IMPORT = "annotation_import", "Import annotations"
        EXPORT = "export", "Export gold"
        WEBHOOK = "webhook", "Deliver webhook"
        RETRAIN = "retrain", "Retrain the suggestion model"
        SEARCH_INDEX = "search_index", "Index article text for search"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    params = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True, help_text="Why the job failed, when it did.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["project", "kind", "status"], name="job_project_kind")]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.status})"


class JobFile(models.Model):
    """One part of an uploaded file waiting for its import job; deleted when the job succeeds.

    Kept in the database, not on disk, so a worker on another machine can read it. A file is
    stored in parts (``labels.jobs.files``) so that neither the web process nor the worker
    holds a whole upload in memory.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=1000)
    data = models.BinaryField()
    order = models.PositiveIntegerField(default=0)
    part = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["job", "order", "part"]

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """A background worker process; its heartbeat tells the UI whether jobs can run."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname}:{self.pid}"


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to tell it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"


class Webhook(models.Model):
    """A URL that receives a project's events, signed with the webhook's secret."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the delivery log reviewers read."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id} ({self.status})"


class SuggestionModel(models.Model):
    """One trained version of a project's suggestion model; the bytes live here, not on disk."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="models")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, help_text="logistic or boosting")
    features = models.CharField(max_length=32, help_text="Feature vector version it reads.")
    library = models.CharField(max_length=32, help_text="scikit-learn version that wrote it.")
    blob = models.BinaryField(help_text="The fitted, calibrated estimator (pickle).")
    decisions = models.PositiveIntegerField(help_text="Decisions in the project at training.")
    articles = models.PositiveIntegerField(help_text="Articles with decisions it learned from.")
    paragraphs = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, help_text="Held-out figures, model and rules.")
    active = models.BooleanField(
        default=False, help_text="Beat the rules on held-out articles: it makes the suggestions."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="model_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project} model-{self.version} ({self.kind})"


class SuggestionVisibility(models.Model):
    """When a project started or stopped showing suggestions: tells which labels were given
    with a suggestion in view."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="visibility")
    shown = models.BooleanField()
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {'shown' if self.shown else 'hidden'} from {self.changed_at}"


class ArticlePage(models.Model):
    """The original HTML page an article was imported from, compressed, so extractors can be
    scored against the gold set at any time."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="page")
    compressed = models.BinaryField(help_text="zlib-compressed bytes as uploaded (maybe cut).")
    original_size = models.PositiveIntegerField(help_text="Bytes of the page as imported.")
    stored_size = models.PositiveIntegerField(help_text="Bytes stored (compressed).")
    truncated = models.BooleanField(default=False, help_text="Cut at the size cap.")
    stored_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"page of {self.article_id} ({self.stored_size} bytes)"


class ExtractorRun(models.Model):
    """One scoring of article extractors against the project's gold (score_extractors)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extractor_runs")
    results = models.JSONField(
        default=dict, help_text="Per extractor: the benchmark's figures and the worst articles."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return f"extractor scores of {self.project} at {self.created_at}"


class ArticleSummary(models.Model):
    """One row per article with the figures of the reviewers' data manager, so that filtering
    and sorting 100,000 articles reads one table. Derived data: labels.review.article_summary
    refreshes the rows of articles changed since the project's ``summaries_refreshed_at``."""

    class Status(models.IntegerChoices):
        UNTOUCHED = 0, "Untouched"
        IN_PROGRESS = 1, "In progress"
        SUBMITTED = 2, "Partly submitted"
        COMPLETE = 3, "Complete"
        DECIDED = 4, "Fully decided"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    # Copied from the article so that every filter and sort reads this one table.
    title = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    priority = models.SmallIntegerField(default=0)
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.UNTOUCHED)
    in_progress = models.PositiveSmallIntegerField(default=0)
    submitted = models.PositiveSmallIntegerField(default=0)
    annotators = models.TextField(blank=True, help_text="User names of live work, sorted.")
    paragraphs = models.PositiveIntegerField(default=0)
    labelled = models.PositiveIntegerField(
        default=0, help_text="Paragraphs every live annotator has labelled."
    )
    agreement = models.FloatField(null=True, blank=True, help_text="Observed pairwise agreement.")
    open_disagreements = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0, help_text="Unresolved flags.")
    skips = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["project", "status"], name="summary_status"),
            models.Index(fields=["project", "open_disagreements"], name="summary_open"),
            models.Index(
                fields=["project"], name="summary_in_progress", condition=Q(in_progress__gt=0)
            ),
            # The data manager's default order: a page is an index range scan.
            models.Index(fields=["project", "imported_at", "article"], name="summary_imported"),
        ]

    def __str__(self) -> str:
        return f"summary of {self.article_id}"


class ProjectEvent(models.Model):
    """The project's activity log: who did what, when (imports, exports, decisions, work
    control, membership and settings changes). Append-only; reviewers read it."""

    class Via(models.TextChoices):
        WEB = "web", "web"
        API = "api", "API"
        COMMAND = "command", "command line"
        JOB = "job", "background job"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=16, choices=Via.choices, default=Via.WEB)
    action = models.CharField(max_length=64)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["project", "-id"], name="project_event_latest")]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"
