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
