from django.urls import path

from labels import views

app_name = "labels"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("p/<slug:slug>/", views.project_detail, name="project"),
    path("p/<slug:slug>/start/", views.start_labelling, name="start"),
    path("a/<int:assignment_id>/", views.annotate, name="annotate"),
    path("a/<int:assignment_id>/submit/", views.submit, name="submit"),
    path("paragraph/<int:paragraph_id>/label/", views.set_label, name="set_label"),
]
