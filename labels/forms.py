"""Small forms that validate POST payloads."""

from __future__ import annotations

from django import forms

from labels.models import Label


class LabelForm(forms.Form):
    """A label value that must belong to the project's label set, exactly as stored."""

    label = forms.CharField(max_length=64, strip=False)

    def __init__(self, *args: object, labels: list[Label], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.labels_by_value = {label.value: label for label in labels}

    def clean_label(self) -> Label:
        value = self.cleaned_data["label"]
        if value not in self.labels_by_value:
            raise forms.ValidationError(f"unknown label {value[:64]!r}")
        return self.labels_by_value[value]


class SubmitForm(forms.Form):
    active_seconds = forms.FloatField(required=False, min_value=0)


class AdjudicationForm(LabelForm):
    """A reviewer's gold label for one paragraph, with an optional note."""

    note = forms.CharField(max_length=1000, required=False)


class QueueFilterForm(forms.Form):
    """The disagreement queue's filters, read from the query string; all optional."""

    SHOW = (("open", "Undecided only"), ("all", "Include decided"))

    a = forms.ChoiceField(required=False, label="One annotator chose")
    b = forms.ChoiceField(required=False, label="another chose")
    annotator = forms.ChoiceField(required=False, label="Labelled by")
    article = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    show = forms.ChoiceField(choices=SHOW, required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    pos = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(
        self, *args: object, labels: list[Label], annotators: list[str], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        any_label = [("", "any label")]
        self.fields["a"].choices = any_label + [(lab.value, lab.name) for lab in labels]
        self.fields["b"].choices = any_label + [(lab.value, lab.name) for lab in labels]
        self.fields["annotator"].choices = [("", "anyone")] + [(n, n) for n in annotators]

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("a")) != bool(cleaned.get("b")):
            raise forms.ValidationError("Choose both labels of the pair, or neither.")
        return cleaned
