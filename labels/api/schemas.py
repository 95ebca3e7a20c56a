"""The JSON shapes of the API, as the OpenAPI schema documents them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    error: str
    details: list[str]


class ProjectIn(Schema):
    slug: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=64)
    name: str | None = Field(default=None, max_length=200)
    labels: list[str] | None = None
    overlap: int = Field(default=2, ge=1, le=100)


class LabelOut(Schema):
    value: str
    name: str
    key: str
    colour: str


class ProjectOut(Schema):
    slug: str
    name: str
    overlap: int
    show_suggestions: bool
    labels: list[LabelOut]


class ArticleCounts(Schema):
    total: int
    complete: int
    in_progress: int
    untouched: int
    awaiting_suggestions: int


class ProjectDetailOut(ProjectOut):
    articles: ArticleCounts
    paragraphs: int
    gold_paragraphs: int


class ProgressOut(Schema):
    done: int
    total: int


class JobOut(Schema):
    id: int
    project: str
    kind: str
    status: str
    progress: ProgressOut
    attempts: int
    result: dict[str, Any]
    errors: list[str]
    failure: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str
    download: str | None = None


class ArticleOut(Schema):
    id: int
    external_id: str
    title: str
    url: str
    source: str
    imported_at: datetime
    paragraphs: int
    submitted: int
    in_progress: int
    gold_paragraphs: int
    suggestions_ready: bool
    status: str


class ArticlePage(Schema):
    results: list[ArticleOut]
    next_cursor: str | None
    next: str | None


class ParagraphOut(Schema):
    index: int
    text: str
    meta: dict[str, Any]
    label: str | None
    suggested_label: str | None


class ClaimedArticle(Schema):
    id: int
    external_id: str
    title: str
    url: str
    source: str
    meta: dict[str, Any]


class NextOut(Schema):
    assignment: int
    article: ClaimedArticle
    paragraphs: list[ParagraphOut]
    labels: list[LabelOut]


class LabelEntryIn(Schema):
    index: int = Field(ge=0)
    label: str


class LabelsIn(Schema):
    labels: list[LabelEntryIn]


class AssignmentOut(Schema):
    assignment: int
    status: str
    labelled: int
    total: int
