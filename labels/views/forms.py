"""Small forms that validate POST payloads."""

from __future__ import annotations

from django import forms

from labels.datasets.export import ExportOptions, InvalidOptions
from labels.datasets.gold import DEFAULT_POLICY, GoldPolicy, InvalidPolicy
from labels.datasets.splits import DEFAULT_SPLIT, InvalidSplit, parse_split
from labels.models import Label

# Numbers that reach SQL are bounded here, so a hostile query string gets 400, never a
# database "out of range" error: ids fit PostgreSQL's bigint, queue positions and pages an
# OFFSET far beyond any real queue.
MAX_ID = 2**63 - 1
MAX_POSITION = 10**9


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
    active_seconds = forms.FloatField(required=False, min_value=0, max_value=86_400)


class ExportForm(forms.Form):
    """The download options of a gold export; the same as ``export_gold``'s flags."""

    format = forms.ChoiceField(
        choices=[
            ("jsonl", "JSONL"),
            ("csv", "CSV (spreadsheets; formulas neutralised)"),
            ("parquet", "Parquet (pandas, Hugging Face datasets)"),
            ("articlebody", "articleBody ground-truth.json"),
        ],
        initial="jsonl",
        required=False,
    )
    unit = forms.ChoiceField(
        choices=[("paragraph", "one paragraph per line"), ("article", "one article per line")],
        initial="paragraph",
        required=False,
        help_text="JSONL and Parquet only.",
    )
    min_annotations = forms.IntegerField(
        min_value=1,
        max_value=MAX_POSITION,
        initial=DEFAULT_POLICY.min_annotations,
        required=False,
        label="Minimum annotations",
        help_text="for a unanimous or majority gold label",
    )
    min_agreement = forms.FloatField(
        min_value=0,
        max_value=1,
        initial=DEFAULT_POLICY.min_agreement,
        required=False,
        label="Minimum majority share",
    )
    include_unresolved = forms.BooleanField(
        required=False, label="Include unresolved paragraphs (label null)"
    )
    split = forms.CharField(
        max_length=20,
        initial=DEFAULT_SPLIT.spec(),
        required=False,
        label="Split",
        help_text="train/dev/test percentages",
    )
    anonymize = forms.BooleanField(required=False, label="Anonymize annotators")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["options"] = ExportOptions(
                fmt=cleaned.get("format") or "jsonl",
                unit=cleaned.get("unit") or "paragraph",
                policy=GoldPolicy(
                    min_annotations=_or_default(
                        cleaned.get("min_annotations"), DEFAULT_POLICY.min_annotations
                    ),
                    min_agreement=_or_default(
                        cleaned.get("min_agreement"), DEFAULT_POLICY.min_agreement
                    ),
                ),
                include_unresolved=bool(cleaned.get("include_unresolved")),
                split=parse_split(cleaned.get("split") or DEFAULT_SPLIT.spec()),
                anonymize=bool(cleaned.get("anonymize")),
            )
        except (InvalidPolicy, InvalidSplit, InvalidOptions) as exc:
            field = {"fmt": "format"}.get(exc.field, exc.field)
            self.add_error(field if field in self.fields else None, exc.reason)
        return cleaned


def _or_default(value: object, default: object) -> object:
    """A form value, or the default when the field was left empty (0 is a value)."""
    return default if value is None else value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>`` (Django's documented recipe)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data or None, initial)]  # an empty list is "no file": required fails


class UploadForm(forms.Form):
    """Files to import; names and contents are checked by the importer, not here."""

    files = MultipleFileField(
        allow_empty_file=True,  # an empty file gets the importer's "empty file" error
        error_messages={"required": "Choose at least one file to upload."},
    )
    # The upload page's --no-suggestions: a large upload imports several times faster.
    defer_suggestions = forms.BooleanField(required=False)


class SiteMemoryForm(LabelForm):
    """Which recurring text, on which site, gets which label."""

    source = forms.CharField(max_length=255)
    text_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$")


class ShowSuggestionsForm(forms.Form):
    show_suggestions = forms.BooleanField(required=False)


class ActiveTimeForm(forms.Form):
    """Active seconds the browser counted since its last successful post (sent with every write)."""

    active_delta = forms.FloatField(required=False, min_value=0, max_value=86_400)

    def seconds(self) -> float:
        if not self.is_valid():
            return 0.0
        return self.cleaned_data["active_delta"] or 0.0


class ParagraphForm(forms.Form):
    paragraph = forms.IntegerField(min_value=1, max_value=MAX_ID)


class FlagForm(ParagraphForm):
    note = forms.CharField(max_length=1000, required=False)
    remove = forms.BooleanField(required=False)


class SkipForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


class RunForm(LabelForm):
    """A label for the focused paragraph and the unlabelled run after it."""

    paragraph = forms.IntegerField(min_value=1, max_value=MAX_ID)


class AdjudicationForm(LabelForm):
    """A reviewer's gold label for one paragraph, with an optional note."""

    note = forms.CharField(max_length=1000, required=False)


class QueueFilterForm(forms.Form):
    """The disagreement queue's filters, read from the query string; all optional."""

    SHOW = (("open", "Undecided only"), ("all", "Include decided"))

    a = forms.ChoiceField(required=False, label="One annotator chose")
    b = forms.ChoiceField(required=False, label="another chose")
    annotator = forms.ChoiceField(required=False, label="Labelled by")
    article = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    show = forms.ChoiceField(choices=SHOW, required=False)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_POSITION, widget=forms.HiddenInput
    )
    pos = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_POSITION, widget=forms.HiddenInput
    )

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
