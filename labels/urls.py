from django.urls import path

from labels.views import annotate, export

app_name = "labels"

urlpatterns = [
    path("", annotate.project_list, name="project_list"),
    path("p/<slug:slug>/", annotate.project_detail, name="project"),
    path("p/<slug:slug>/start/", annotate.start_labelling, name="start"),
    path("a/<int:assignment_id>/", annotate.annotate, name="annotate"),
    path("a/<int:assignment_id>/submit/", annotate.submit, name="submit"),
    path("paragraph/<int:paragraph_id>/label/", annotate.set_label, name="set_label"),
    path("p/<slug:slug>/export/", export.export_gold, name="export_gold"),
    path("p/<slug:slug>/export/card/", export.export_card, name="export_card"),
]
