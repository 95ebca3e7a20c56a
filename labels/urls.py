from django.urls import path

from labels.views import annotate, review

app_name = "labels"

urlpatterns = [
    path("", annotate.project_list, name="project_list"),
    path("p/<slug:slug>/", annotate.project_detail, name="project"),
    path("p/<slug:slug>/start/", annotate.start_labelling, name="start"),
    path("a/<int:assignment_id>/", annotate.annotate, name="annotate"),
    path("a/<int:assignment_id>/submit/", annotate.submit, name="submit"),
    path("paragraph/<int:paragraph_id>/label/", annotate.set_label, name="set_label"),
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
