"""Read-mostly admin for support and debugging."""

from django.contrib import admin

from labels.models import (
    Annotation,
    AnnotationEvent,
    Article,
    Assignment,
    Flag,
    GoldLabel,
    Label,
    Membership,
    Paragraph,
    Project,
)
from labels.workflow import queue


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "overlap", "show_suggestions", "created_at"]
    search_fields = ["slug", "name"]
    inlines = [LabelInline, MembershipInline]
    # Work control and quality settings change on the project's Settings page in the app,
    # which records each change in the project's activity log.
    readonly_fields = ["paused", "control_every", "control_warning", "min_seconds_per_paragraph"]

    def save_model(self, request, obj: Project, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "overlap" in form.changed_data:
            # Open slots are denormalised from the overlap; recount them for the new value.
            queue.sync_open_slots(project=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__slug"]
    autocomplete_fields = ["user", "project"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["value", "name", "key", "order", "project"]
    list_filter = ["project"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "source", "project", "open_slots", "imported_at"]
    list_filter = ["project", "source"]
    search_fields = ["external_id", "title", "url"]
    readonly_fields = ["content_hash", "imported_at"]


@admin.register(Paragraph)
class ParagraphAdmin(admin.ModelAdmin):
    list_display = ["article", "index", "text", "suggested_label"]
    list_filter = ["article__project"]
    search_fields = ["text", "article__external_id"]
    list_select_related = ["article"]
    raw_id_fields = ["article"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "article",
        "annotator",
        "status",
        "started_at",
        "submitted_at",
        "active_seconds",
        "skip_reason",
    ]
    list_filter = ["status", "article__project"]
    search_fields = ["annotator__username", "article__external_id"]
    list_select_related = ["article", "annotator"]
    raw_id_fields = ["article"]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "label", "assignment", "from_suggestion", "updated_at"]
    list_filter = ["label__value", "assignment__status"]
    search_fields = ["assignment__annotator__username", "paragraph__article__external_id"]
    list_select_related = ["paragraph", "label", "assignment__annotator"]
    raw_id_fields = ["paragraph", "assignment"]


@admin.register(AnnotationEvent)
class AnnotationEventAdmin(admin.ModelAdmin):
    list_display = ["assignment", "paragraph", "action", "label", "previous_label", "created_at"]
    list_filter = ["action"]
    raw_id_fields = ["assignment", "paragraph"]

    def has_change_permission(self, request, obj=None) -> bool:  # history is append-only
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "assignment", "note", "created_at"]
    raw_id_fields = ["assignment", "paragraph"]


@admin.register(GoldLabel)
class GoldLabelAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "label", "source", "decided_by", "decided_at"]
    list_filter = ["source", "label__value"]
    raw_id_fields = ["paragraph"]
