from django.urls import path

from labels.views import (
    annotate,
    articles,
    export,
    extractors,
    jobs,
    progress,
    review,
    suggestions,
    team,
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
    path(
        "a/<int:assignment_id>/label-selection/", annotate.label_selection, name="label_selection"
    ),
    path("a/<int:assignment_id>/reopen/", annotate.reopen, name="reopen"),
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
    # The reviewers' control room: data manager, one article with every voice, work control.
    path("p/<slug:slug>/articles/", articles.article_list, name="articles"),
    path("p/<slug:slug>/articles/<int:article_id>/", articles.article_detail, name="article"),
    path(
        "p/<slug:slug>/articles/<int:article_id>/history/",
        articles.article_history,
        name="article_history",
    ),
    path(
        "p/<slug:slug>/articles/<int:article_id>/decide/",
        articles.decide_paragraph,
        name="decide_paragraph",
    ),
    path("p/<slug:slug>/articles/<int:article_id>/take/", articles.take_labels, name="take_labels"),
    path(
        "p/<slug:slug>/articles/<int:article_id>/accept-agreed/",
        articles.accept_agreed,
        name="accept_agreed",
    ),
    path(
        "p/<slug:slug>/articles/<int:article_id>/priority/",
        articles.set_priority,
        name="set_priority",
    ),
    path(
        "p/<slug:slug>/articles/<int:article_id>/control/",
        articles.set_control,
        name="set_control",
    ),
    path(
        "p/<slug:slug>/assignments/<int:assignment_id>/release/",
        articles.release_assignment,
        name="release_assignment",
    ),
    path(
        "p/<slug:slug>/assignments/<int:assignment_id>/return/",
        articles.return_assignment,
        name="return_assignment",
    ),
    path("p/<slug:slug>/flags/<int:flag_id>/answer/", articles.answer_flag, name="answer_flag"),
    path("p/<slug:slug>/pause/", articles.set_paused, name="set_paused"),
    path("p/<slug:slug>/activity-log/", articles.activity_log_page, name="activity_log"),
    path("p/<slug:slug>/suspicious/", articles.suspicious_page, name="suspicious"),
    # Team and settings in the app.
    path("projects/new/", team.create_project, name="create_project"),
    path("p/<slug:slug>/team/", team.team_page, name="team"),
    path("p/<slug:slug>/team/invite/", team.invite, name="invite"),
    path("p/<slug:slug>/team/<int:user_id>/role/", team.set_role, name="set_role"),
    path(
        "p/<slug:slug>/team/<int:user_id>/deactivate/",
        team.deactivate_member,
        name="deactivate_member",
    ),
    path("p/<slug:slug>/settings/", team.settings_page, name="project_settings"),
    path("p/<slug:slug>/settings/labels/", team.edit_labels, name="edit_labels"),
    path(
        "p/<slug:slug>/settings/guidelines-preview/",
        team.guidelines_preview,
        name="guidelines_preview",
    ),
]
