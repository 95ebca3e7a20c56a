"""Label colours: chosen from the palette, given to new labels sensibly, set on existing
labels by the migration, and carried by every label-coloured element as a CSS class."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from labels.models import DEFAULT_COLOURS, Label, LabelColour, free_colour
from labels.workflow import projects
from tests.factories import ProjectFactory

CSS = Path(settings.BASE_DIR) / "static" / "labels" / "app.css"


def test_the_default_four_keep_their_colours_and_others_take_the_next_free_one():
    assert free_colour("body", []) == "blue"
    assert free_colour("relevant", []) == "blue"
    assert free_colour("relevant", ["blue"]) == "orange"
    assert free_colour("quote", ["pink"]) == "blue"  # its own is taken: first free
    full = list(LabelColour.values)
    assert free_colour("x", full) == full[0]
    assert free_colour("y", [*full, full[0]]) == full[1]


def test_every_palette_colour_has_its_css_class_and_nothing_else_names_a_label_colour():
    css = CSS.read_text("utf-8")
    defined = set(re.findall(r"\.colour-([a-z]+) \{ --label:", css))
    assert defined == set(LabelColour.values)
    # The old value-named colour rules are gone: a renamed or new label is coloured too.
    assert not re.search(r"\.label-(body|quote|caption)\b", css)


@pytest.mark.django_db
def test_new_projects_colour_their_labels_without_repeats():
    project = projects.create_project(slug="eleven", labels=[f"l{n}" for n in range(10)])
    colours = list(project.labels.order_by("order").values_list("colour", flat=True))
    assert colours[:9] == list(LabelColour.values)
    assert colours[9] == LabelColour.values[0]

    default = projects.create_project(slug="default-four")
    assert dict(default.labels.values_list("value", "colour")) == DEFAULT_COLOURS


@pytest.mark.django_db
def test_the_migration_gives_existing_labels_their_customary_colour_in_label_order():
    migration = importlib.import_module("labels.migrations.0009_label_colour_event_via")
    project = ProjectFactory()
    Label.objects.create(project=project, value="byline", name="Byline", key="5", order=9)
    Label.objects.filter(project=project).update(colour="blue")

    migration.colour_existing_labels(apps, None)

    assert dict(project.labels.values_list("value", "colour")) == {
        **DEFAULT_COLOURS,
        "byline": "green",
    }
