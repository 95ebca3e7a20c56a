"""Team and settings in the app, against PostgreSQL: invitations, roles, deactivation,
settings with open slots recomputed, the label set, the guidelines preview, new projects."""

import re

import pytest
from django.urls import reverse

from labels.models import Assignment, Label, Membership, Project, ProjectEvent
from labels.workflow import queue
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(overlap=2)


@pytest.fixture
def reviewer(project):
    return MembershipFactory(project=project, reviewer=True).user


def test_invite_creates_the_member_and_a_one_time_link_that_sets_a_password(
    client, project, reviewer
):
    client.force_login(reviewer)

    page = client.post(
        reverse("labels:invite", args=[project.slug]), {"username": "newbie", "role": "annotator"}
    )

    membership = Membership.objects.get(project=project, user__username="newbie")
    assert membership.role == "annotator"
    assert not membership.user.has_usable_password()
    link = re.search(r'id="invite-link" value="([^"]+)"', page.text).group(1)
    assert ProjectEvent.objects.filter(project=project, action="member invited").exists()

    client.logout()
    form = client.get(link, follow=True)
    assert "Set your password" in form.text
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-99", "new_password2": "a-long-new-pass-99"},
    )
    logged_in = client.post(
        reverse("login"), {"username": "newbie", "password": "a-long-new-pass-99"}
    )
    assert logged_in.status_code == 302
    client.logout()
    assert "no longer valid" in client.get(link, follow=True).text


def test_inviting_an_existing_user_gives_no_link(client, project, reviewer):
    UserFactory(username="old-hand")
    client.force_login(reviewer)

    page = client.post(
        reverse("labels:invite", args=[project.slug]), {"username": "old-hand", "role": "reviewer"}
    )

    assert Membership.objects.get(project=project, user__username="old-hand").role == "reviewer"
    assert "invite-link" not in page.text
    assert "can log in" in page.text


def test_invite_with_an_invalid_user_name_names_the_field_and_writes_nothing(
    client, project, reviewer
):
    client.force_login(reviewer)

    page = client.post(
        reverse("labels:invite", args=[project.slug]),
        {"username": "no spaces!", "role": "annotator"},
    )

    assert page.status_code == 400
    assert "invalid user name" in page.text
    assert Membership.objects.filter(project=project).count() == 1


def test_set_role_changes_it_and_logs(client, project, reviewer):
    member = MembershipFactory(project=project).user
    client.force_login(reviewer)

    client.post(reverse("labels:set_role", args=[project.slug, member.pk]), {"role": "reviewer"})

    assert Membership.objects.get(project=project, user=member).role == "reviewer"
    assert ProjectEvent.objects.get(project=project, action="role changed").actor == reviewer


def test_deactivate_releases_open_work_and_keeps_submitted_work(client, project, reviewer):
    member = MembershipFactory(project=project).user
    done = make_article(project, 1)
    submitted = label(done, member, ["body"])
    make_article(project, 1)
    current = queue.claim_next(user=member, project=project)
    client.force_login(reviewer)

    client.post(reverse("labels:deactivate_member", args=[project.slug, member.pk]))

    assert not Membership.objects.filter(project=project, user=member).exists()
    current.refresh_from_db()
    current.article.refresh_from_db()
    assert current.status == Assignment.Status.RELEASED
    assert current.article.open_slots == 2
    submitted.refresh_from_db()
    assert submitted.status == Assignment.Status.SUBMITTED


def test_settings_change_overlap_recomputes_open_slots_and_logs(client, project, reviewer):
    article = make_article(project, 1, open_slots=2)
    label(article, UserFactory(), ["body"])
    client.force_login(reviewer)

    client.post(
        reverse("labels:project_settings", args=[project.slug]),
        {
            "name": "Renamed",
            "overlap": 3,
            "guidelines": "# Rules",
            "show_suggestions": "on",
            "idle_minutes": 30,
            "min_seconds_per_paragraph": 2,
            "control_every": 10,
            "control_warning": 0.9,
            "uncertainty_first": "on",
            "retrain_every": 50,
        },
    )

    project.refresh_from_db()
    article.refresh_from_db()
    assert (project.name, project.overlap, project.show_suggestions) == ("Renamed", 3, True)
    assert (project.uncertainty_first, project.retrain_every) == (True, 50)
    assert project.assignment_timeout.total_seconds() == 1800
    assert article.open_slots == 2
    event = ProjectEvent.objects.get(project=project, action="settings changed")
    assert "overlap" in event.detail


def test_a_label_in_use_cannot_be_deleted_but_can_be_renamed(client, project, reviewer):
    label(make_article(project, 1), UserFactory(), ["body"])
    body = Label.objects.get(project=project, value="body")
    client.force_login(reviewer)
    url = reverse("labels:edit_labels", args=[project.slug])

    client.post(url, {f"delete-{body.pk}": "on"})
    assert Label.objects.filter(pk=body.pk).exists()

    client.post(url, {f"name-{body.pk}": "Main text", "new-name": "Byline", "new-key": "5"})
    body.refresh_from_db()
    assert (body.name, body.value) == ("Main text", "body")
    assert Label.objects.get(project=project, value="byline").key == "5"


def test_swapping_two_keys_is_one_change(client, project, reviewer):
    body = Label.objects.get(project=project, value="body")
    quote = Label.objects.get(project=project, value="quote")
    client.force_login(reviewer)

    client.post(
        reverse("labels:edit_labels", args=[project.slug]),
        {f"key-{body.pk}": quote.key, f"key-{quote.pk}": body.key},
    )

    assert Label.objects.get(pk=body.pk).key == "3"
    assert Label.objects.get(pk=quote.pk).key == "1"


def test_duplicate_keys_are_refused_and_nothing_changes(client, project, reviewer):
    body = Label.objects.get(project=project, value="body")
    client.force_login(reviewer)

    client.post(
        reverse("labels:edit_labels", args=[project.slug]),
        {f"key-{body.pk}": "2", f"name-{body.pk}": "Changed"},
        follow=True,
    )

    body.refresh_from_db()
    assert (body.key, body.name) == ("1", "Body")


def test_guidelines_preview_is_sanitised(client, project, reviewer):
    client.force_login(reviewer)

    page = client.post(
        reverse("labels:guidelines_preview", args=[project.slug]),
        {"guidelines": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
        headers={"HX-Request": "true"},
    )

    assert "<strong>bold</strong>" in page.text
    assert "<script>" not in page.text
    assert 'href="javascript' not in page.text


def test_only_staff_create_projects(client, reviewer):
    client.force_login(reviewer)
    assert (
        client.post(reverse("labels:create_project"), {"slug": "x", "name": "X"}).status_code == 404
    )

    client.force_login(UserFactory(is_staff=True))
    client.post(reverse("labels:create_project"), {"slug": "new-one", "name": "New", "overlap": 3})

    created = Project.objects.get(slug="new-one")
    assert (created.overlap, created.labels.count()) == (3, 4)
    assert ProjectEvent.objects.filter(project=created, action="project created").exists()


def test_a_label_in_use_can_be_recoloured_and_every_screen_shows_the_new_colour(
    client, project, reviewer
):
    assignment = label(make_article(project, 1), UserFactory(), ["body"])
    body = Label.objects.get(project=project, value="body")
    assert body.colour == "blue"
    client.force_login(reviewer)

    client.post(reverse("labels:edit_labels", args=[project.slug]), {f"colour-{body.pk}": "green"})

    body.refresh_from_db()
    assert body.colour == "green"
    event = ProjectEvent.objects.filter(project=project, action="labels changed").get()
    assert "1 Body (green)" in event.detail
    settings_page = client.get(reverse("labels:project_settings", args=[project.slug]))
    assert f'name="colour-{body.pk}"' in settings_page.text
    assert '<option value="green" selected>' in settings_page.text
    article_page = client.get(reverse("labels:article", args=[project.slug, assignment.article_id]))
    assert "chip label-body colour-green" in article_page.text


def test_an_unknown_colour_is_refused_and_nothing_changes(client, project, reviewer):
    body = Label.objects.get(project=project, value="body")
    client.force_login(reviewer)

    page = client.post(
        reverse("labels:edit_labels", args=[project.slug]),
        {f"colour-{body.pk}": "red; background: url(x)", f"name-{body.pk}": "Changed"},
        follow=True,
    )

    body.refresh_from_db()
    assert (body.colour, body.name) == ("blue", "Body")
    assert "not in the palette" in page.text


def test_a_new_label_takes_the_first_free_colour_unless_one_is_chosen(client, project, reviewer):
    client.force_login(reviewer)
    url = reverse("labels:edit_labels", args=[project.slug])

    client.post(url, {"new-name": "Byline", "new-key": "5"})
    client.post(url, {"new-name": "Dateline", "new-key": "6", "new-colour": "purple"})

    # body, boilerplate, quote and caption hold blue, grey, pink and orange.
    assert Label.objects.get(project=project, value="byline").colour == "green"
    assert Label.objects.get(project=project, value="dateline").colour == "purple"
