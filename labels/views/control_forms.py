"""Forms of the reviewers' control room: the data manager's query string, whole-article
decisions and work control."""

from __future__ import annotations

from django import forms

from labels.models import ArticleSummary, Label, Membership
from labels.review import article_table
from labels.views.forms import MAX_ID, LabelForm


class ActivityLogForm(forms.Form):
    """The activity log's page: entries older than ``before`` (an entry id)."""

    before = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ArticleQueryForm(forms.Form):
    """The data manager's search, filters, sort and page, from the query string; all optional."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "any status"), *ArticleSummary.Status.choices],
    )
    annotator = forms.CharField(required=False, max_length=150)
    source = forms.CharField(required=False, max_length=255)
    flags = forms.BooleanField(required=False, label="Has flags")
    open = forms.BooleanField(required=False, label="Has open disagreements")
    control = forms.BooleanField(required=False, label="Control items")
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in article_table.SORTS])
    desc = forms.BooleanField(required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def query(self) -> article_table.ArticleQuery:
        data = self.cleaned_data
        return article_table.ArticleQuery(
            search=data["q"].strip(),
            status=data["status"],
            annotator=data["annotator"].strip(),
            source=data["source"],
            has_flags=data["flags"],
            has_open=data["open"],
            controls=data["control"],
            sort=data["sort"] or "imported",
            descending=data["desc"],
            page=data["page"] or 1,
        )


class DecideForm(LabelForm):
    """A gold label for one paragraph of the article, with an optional note."""

    paragraph = forms.IntegerField(min_value=1)
    note = forms.CharField(max_length=1000, required=False)


class TakeLabelsForm(forms.Form):
    assignment = forms.IntegerField(min_value=1)


class ReturnForm(forms.Form):
    note = forms.CharField(max_length=1000, required=True, label="Note for the annotator")


class PriorityForm(forms.Form):
    priority = forms.IntegerField(min_value=-100, max_value=100)


class PauseForm(forms.Form):
    paused = forms.BooleanField(required=False)


class FlagAnswerForm(forms.Form):
    reply = forms.CharField(max_length=1000, required=False)
    resolve = forms.BooleanField(required=False)


def label_choices(labels: list[Label]) -> list[tuple[str, str]]:
    return [(label.value, label.name) for label in labels]


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150, label="User name")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.ANNOTATOR)
    email = forms.EmailField(required=False, label="Email (optional)")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class SettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    overlap = forms.IntegerField(min_value=1, max_value=20, help_text="Annotators per article.")
    guidelines = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}), max_length=50_000
    )
    show_suggestions = forms.BooleanField(required=False)
    uncertainty_first = forms.BooleanField(
        required=False,
        label="Least certain first",
        help_text="Offer the articles the suggestion model is least sure of first.",
    )
    retrain_every = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        label="Retrain the suggestion model after N new decisions (0: only on demand)",
    )
    idle_minutes = forms.IntegerField(
        min_value=1,
        max_value=60 * 24 * 30,
        label="Idle timeout (minutes)",
        help_text="An in-progress article idle this long is released to others.",
    )
    control_every = forms.IntegerField(
        min_value=0, max_value=1000, label="Control item every N articles (0: off)"
    )
    control_warning = forms.FloatField(
        min_value=0, max_value=1, label="Warn below this control accuracy (0 to 1)"
    )
    min_seconds_per_paragraph = forms.FloatField(
        min_value=0,
        max_value=600,
        label="Suspiciously fast under (seconds per paragraph)",
    )


class GuidelinesPreviewForm(forms.Form):
    guidelines = forms.CharField(required=False, max_length=50_000)


class ProjectForm(forms.Form):
    slug = forms.SlugField(max_length=64)
    name = forms.CharField(max_length=200)
    overlap = forms.IntegerField(min_value=1, max_value=20, initial=2)
