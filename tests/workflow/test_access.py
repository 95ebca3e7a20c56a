"""Roles: non-members get 404 on every page and endpoint of a project; reviewers only see
the progress page; membership is managed with add_members."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from labels.models import Annotation, AnnotationEvent, Assignment, Flag, Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def project_endpoints(project, assignment, paragraph) -> list[tuple[str, str, dict]]:
    """Every page and endpoint of one project: (method, url, data)."""
    a = assignment.pk
    return [
        ("get", reverse("labels:project", args=[project.slug]), {}),
        ("post", reverse("labels:start", args=[project.slug]), {}),
        ("get", reverse("labels:progress", args=[project.slug]), {}),
        ("get", reverse("labels:annotate", args=[a]), {}),
        ("post", reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"}),
        (
            "post",
            reverse("labels:label_run", args=[a]),
            {"paragraph": paragraph.pk, "label": "body"},
        ),
        ("post", reverse("labels:undo", args=[a]), {}),
        ("post", reverse("labels:flag", args=[a]), {"paragraph": paragraph.pk, "note": "x"}),
        ("post", reverse("labels:skip", args=[a]), {"reason": "x"}),
        ("post", reverse("labels:activity", args=[a]), {"active_delta": "5"}),
        ("post", reverse("labels:submit", args=[a]), {}),
    ]


def snapshot() -> tuple:
    return (
        Annotation.objects.count(),
        AnnotationEvent.objects.count(),
        Flag.objects.count(),
        list(Assignment.objects.values_list("pk", "status", "active_seconds")),
    )


@pytest.fixture
def labelled_assignment(project, make_assignment):
    """Someone's in-progress assignment with one label, in ``project``."""
    owner = MembershipFactory(project=project).user
    assignment = make_assignment(owner, paragraphs=2)
    paragraph = assignment.article.paragraphs.get(index=0)
    client = Client()
    client.force_login(owner)
    client.post(reverse("labels:set_label", args=[paragraph.pk]), {"label": "quote"})
    return assignment


def test_a_stranger_gets_404_everywhere_and_changes_nothing(client, project, labelled_assignment):
    client.force_login(UserFactory())
    paragraph = labelled_assignment.article.paragraphs.get(index=1)
    before = snapshot()

    for method, url, data in project_endpoints(project, labelled_assignment, paragraph):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot() == before


def test_a_removed_member_loses_their_own_assignment_too(client, project, labelled_assignment):
    owner = labelled_assignment.annotator
    Membership.objects.filter(project=project, user=owner).delete()
    client.force_login(owner)
    paragraph = labelled_assignment.article.paragraphs.get(index=1)
    before = snapshot()

    for method, url, data in project_endpoints(project, labelled_assignment, paragraph):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot() == before


def test_an_annotator_of_the_project_gets_404_on_someone_elses_assignment(
    annotator_client, project, labelled_assignment
):
    paragraph = labelled_assignment.article.paragraphs.get(index=1)
    before = snapshot()
    own_pages = {
        reverse("labels:project", args=[project.slug]),
        reverse("labels:start", args=[project.slug]),
    }

    for method, url, data in project_endpoints(project, labelled_assignment, paragraph):
        if url in own_pages:
            continue
        response = getattr(annotator_client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot() == before


def test_every_new_endpoint_requires_login(client, project, labelled_assignment):
    paragraph = labelled_assignment.article.paragraphs.get(index=1)

    for method, url, data in project_endpoints(project, labelled_assignment, paragraph):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_progress_page_is_for_reviewers_and_staff_only(client, project, member, reviewer_client):
    url = reverse("labels:progress", args=[project.slug])
    client.force_login(member.user)
    assert client.get(url).status_code == 404

    assert reviewer_client.get(url).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 200


def test_project_page_links_progress_for_reviewers_only(annotator_client, reviewer_client, project):
    url = reverse("labels:project", args=[project.slug])

    assert 'id="progress-link"' not in annotator_client.get(url).text
    assert 'id="progress-link"' in reviewer_client.get(url).text


def test_staff_who_are_not_members_see_the_project_but_cannot_label_it(client, project):
    client.force_login(UserFactory(is_staff=True))

    page = client.get(reverse("labels:project", args=[project.slug]))

    assert page.status_code == 200
    assert 'id="start-labelling"' not in page.text
    assert "not a member of this project" in page.text
    assert client.post(reverse("labels:start", args=[project.slug])).status_code == 404
    assert not Assignment.objects.exists()


def test_reviewers_may_label_too(reviewer_client, project, make_assignment):
    make_assignment(MembershipFactory(project=project).user)  # uses one of two slots

    response = reviewer_client.post(reverse("labels:start", args=[project.slug]))

    assert response.status_code == 302
    assert Assignment.objects.filter(annotator__memberships__role="reviewer").count() == 1


# ---------------------------------------------------------------- add_members


def run_add_members(*args: str) -> str:
    out = StringIO()
    call_command("add_members", *args, stdout=out)
    return out.getvalue()


def test_add_members_adds_existing_users_as_annotators(project):
    annie, bob = UserFactory(username="annie"), UserFactory(username="bob")

    output = run_add_members(project.slug, "annie", "bob")

    assert output.splitlines() == [
        f"annie: added to {project.slug} as annotator",
        f"bob: added to {project.slug} as annotator",
    ]
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"annie": "annotator", "bob": "annotator"}
    assert {annie, bob} == {m.user for m in Membership.objects.all()}


def test_add_members_changes_the_role_of_an_existing_member_and_repeats_harmlessly(project, member):
    name = member.user.username

    first = run_add_members(project.slug, name, "--role", "reviewer")
    second = run_add_members(project.slug, name, "--role", "reviewer")

    assert first.strip() == f"{name}: role changed from annotator to reviewer"
    assert second.strip() == f"{name}: already reviewer in {project.slug}"
    assert Membership.objects.get().role == "reviewer"


def test_add_members_with_an_unknown_user_fails_whole(project):
    UserFactory(username="annie")

    with pytest.raises(CommandError, match=r"no such user\(s\): ghost, phantom .*--create"):
        run_add_members(project.slug, "annie", "ghost", "phantom")

    assert not Membership.objects.exists()


def test_add_members_unknown_project_is_an_error():
    with pytest.raises(CommandError, match="project 'nope' does not exist"):
        run_add_members("nope", "annie")


def test_add_members_rejects_an_unknown_role(project):
    UserFactory(username="annie")

    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        run_add_members(project.slug, "annie", "--role", "boss")


def test_add_members_create_makes_users_without_password_and_prints_a_working_link(project):
    output = run_add_members(project.slug, "carol", "--create", "--base-url", "http://x.test/")

    carol = get_user_model().objects.get(username="carol")
    assert not carol.has_usable_password()
    assert Membership.objects.get(user=carol).role == "annotator"
    assert "python manage.py changepassword carol" in output
    link = re.search(r"http://x\.test(/accounts/reset/\S+/)", output).group(1)

    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )
    assert done.status_code == 302
    carol.refresh_from_db()
    assert carol.check_password("a-long-new-passphrase")


def test_add_members_create_refuses_an_invalid_user_name_and_writes_nothing(project):
    with pytest.raises(CommandError, match="invalid user name 'no spaces please'"):
        run_add_members(project.slug, "dave", "no spaces please", "--create")

    assert not get_user_model().objects.filter(username="dave").exists()
    assert not Membership.objects.exists()
