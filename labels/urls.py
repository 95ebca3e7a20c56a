from django.urls import path

from labels.views import (
    annotate,
    export,
    extractors,
    jobs,
    progress,
    review,
    suggestions,
    tokens,
    upload,
    webhooks,
)

app_name = "labels"

urlpatterns = [
    path("", annotate.project_list, name="project_list"),
    path("p/<slug:slug>/", annotate.project_detail, name="project"),
    path("api-tokens/", tokens.api_token_list, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", tokens.revoke_api_token, name="revoke_api_token"),
    path("p/<slug:slug>/start/", annotate.start_labelling, name="start"),
    path("p/<slug:slug>/progress/", progress.project_progress, name="progress"),
    path("a/<int:assignment_id>/", annotate.annotate, name="annotate"),
    path("a/<int:assignment_id>/submit/", annotate.submit, name="submit"),
    path("a/<int:assignment_id>/skip/", annotate.skip, name="skip"),
    path("a/<int:assignment_id>/undo/", annotate.undo, name="undo"),
    path("a/<int:assignment_id>/label-run/", annotate.label_run, name="label_run"),
    path("a/<int:assignment_id>/flag/", annotate.flag, name="flag"),
    path("a/<int:assignment_id>/activity/", annotate.activity, name="activity"),
    path("paragraph/<int:paragraph_id>/label/", annotate.set_label, name="set_label"),
    path("p/<slug:slug>/export/", export.export_gold, name="export_gold"),
    path("p/<slug:slug>/export/card/", export.export_card, name="export_card"),
    # Import from the browser and suggested labels (reviewer pages, annotator accept actions).
    path("p/<slug:slug>/upload/", upload.upload, name="upload"),
    path("p/<slug:slug>/jobs/", jobs.job_list, name="jobs"),
    path("p/<slug:slug>/webhooks/", webhooks.webhook_list, name="webhooks"),
    path(
        "p/<slug:slug>/webhooks/<int:webhook_id>/delete/",
        webhooks.delete_webhook,
        name="delete_webhook",
    ),
    path("p/<slug:slug>/jobs/<int:job_id>/", jobs.job_detail, name="job"),
    path("p/<slug:slug>/jobs/<int:job_id>/retry/", jobs.retry_job, name="retry_job"),
    path("p/<slug:slug>/jobs/<int:job_id>/download/", jobs.download_export, name="download_export"),
    path("p/<slug:slug>/export/background/", jobs.start_export, name="start_export"),
    path("p/<slug:slug>/suggestions/", suggestions.suggestion_report, name="suggestions"),
    path(
        "p/<slug:slug>/suggestions/show/",
        suggestions.set_show_suggestions,
        name="set_show_suggestions",
    ),
    path("p/<slug:slug>/site-memory/", suggestions.site_memory_page, name="site_memory"),
    path("p/<slug:slug>/extractors/", extractors.extractor_scores_page, name="extractor_scores"),
    path(
        "p/<slug:slug>/site-memory/apply/",
        suggestions.apply_site_memory,
        name="apply_site_memory",
    ),
    path(
        "paragraph/<int:paragraph_id>/accept/",
        suggestions.accept_suggestion,
        name="accept_suggestion",
    ),
    path(
        "a/<int:assignment_id>/accept-all/",
        suggestions.accept_all_suggestions,
        name="accept_all_suggestions",
    ),
    path("p/<slug:slug>/review/", review.dashboard_page, name="review"),
    path("p/<slug:slug>/review/disagreements/", review.disagreements, name="disagreements"),
    path(
        "p/<slug:slug>/review/disagreements/accept-majority/",
        review.accept_majority,
        name="accept_majority",
    ),
    path("p/<slug:slug>/review/next/", review.next_disagreement, name="next_disagreement"),
    path(
        "p/<slug:slug>/review/paragraph/<int:paragraph_id>/",
        review.adjudicate,
        name="adjudicate",
    ),
]
