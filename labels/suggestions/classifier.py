"""Fitting, choosing and storing the suggestion model with scikit-learn. No Django.

Two kinds compete each time: a logistic regression on standardised features (fast, good with
few articles) and histogram gradient boosting (better once a site has been labelled for a
while, because it learns interactions such as "this container, but a short line"). The one
with the better accuracy on grouped cross-validation over the training articles is kept, so a
paragraph's neighbours never sit on both sides of a fold. Its probabilities are calibrated
(Platt scaling, three folds), so "80 %" on a suggestion means right about four times in five;
classes with fewer than CALIBRATION_FOLDS examples are left out, since nothing can be learned
or calibrated from them.

A fitted model is stored as a pickle in the database. Pickles run code when loaded, so only
bytes this module wrote are ever loaded (they come from our own table), and a model written by
another scikit-learn version is refused rather than trusted (the caller falls back to rules).
"""

from __future__ import annotations

import io
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

# scikit-learn (and SciPy behind it) load on first use, not on import: every import path
# reaches this module through the suggestion job, and an importer run under a tight memory
# limit (tests/ingest/test_importing_streams.py) must not pay for, or stall in, their start-up.

BODY = "body"
KINDS = ("logistic", "boosting")
CALIBRATION_FOLDS = 3
SELECTION_FOLDS = 3
SEED = 0
# One thread: the app shares its cores with the web workers and PostgreSQL, and OpenMP's
# spinning threads made gradient boosting twenty times slower on a busy two-core machine.
THREADS = 1


class ModelUnavailable(Exception):
    """The stored model cannot be used here (another library version or a corrupt blob)."""


@dataclass
class Trained:
    kind: str
    estimator: object
    library: str = field(default_factory=lambda: _sklearn_version())

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.estimator.classes_]


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def _estimator(kind: str) -> object:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic":
        return make_pipeline(
            StandardScaler(), LogisticRegression(C=0.5, max_iter=2000, random_state=SEED)
        )
    if kind == "boosting":
        return HistGradientBoostingClassifier(
            max_iter=60,
            learning_rate=0.15,
            max_leaf_nodes=15,
            max_bins=32,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=SEED,
        )
    raise ValueError(f"unknown model kind {kind!r}")


def trainable(
    rows: Sequence[Sequence[float]], labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows whose label has enough examples to learn and calibrate; returns a mask too."""
    counts = Counter(labels)
    keep = np.array([counts[label] >= CALIBRATION_FOLDS for label in labels], dtype=bool)
    return np.asarray(rows, dtype=float)[keep], np.asarray(labels)[keep], keep


def fit(rows: Sequence[Sequence[float]], labels: Sequence[str], *, kind: str) -> Trained:
    """A calibrated model of one kind; needs two labels with CALIBRATION_FOLDS examples each."""
    from sklearn.calibration import CalibratedClassifierCV

    x, y, _ = trainable(rows, labels)
    if len(set(y.tolist())) < 2:
        raise ValueError("need at least two labels with enough examples to learn from")
    calibrated = CalibratedClassifierCV(
        _estimator(kind), method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=True
    )
    with threadpool_limits(limits=THREADS):
        calibrated.fit(x, y)
    return Trained(kind=kind, estimator=calibrated)


def choose_kind(
    rows: Sequence[Sequence[float]], labels: Sequence[str], groups: Sequence[object]
) -> tuple[str, dict[str, float]]:
    """The kind with the best grouped cross-validated accuracy (logistic on a tie or when
    there are too few articles to cross-validate), and each kind's accuracy."""
    from sklearn.model_selection import GroupKFold

    x, y, keep = trainable(rows, labels)
    group_array = np.asarray(groups, dtype=object)[keep]
    distinct = len(set(group_array.tolist()))
    if distinct < SELECTION_FOLDS or len(set(y.tolist())) < 2:
        return "logistic", {}
    scores: dict[str, float] = {}
    for kind in KINDS:
        right = total = 0
        for train, test in GroupKFold(n_splits=SELECTION_FOLDS).split(x, y, group_array):
            if len(set(y[train].tolist())) < 2:
                continue
            model = _estimator(kind)
            with threadpool_limits(limits=THREADS):
                model.fit(x[train], y[train])
                right += int((model.predict(x[test]) == y[test]).sum())
            total += len(test)
        scores[kind] = right / total if total else 0.0
    best = max(KINDS, key=lambda kind: (scores.get(kind, 0.0), kind == "logistic"))
    return best, scores


def predict(trained: Trained, rows: Sequence[Sequence[float]]) -> list[tuple[str, float]]:
    """(label, calibrated probability of that label) per row."""
    if not rows:
        return []
    with threadpool_limits(limits=THREADS):
        probabilities = trained.estimator.predict_proba(np.asarray(rows, dtype=float))
    labels = trained.labels
    best = probabilities.argmax(axis=1)
    return [(labels[i], float(probabilities[row, i])) for row, i in enumerate(best)]


def dumps(trained: Trained) -> bytes:
    """The model as bytes for the database."""
    buffer = io.BytesIO()
    pickle.dump(
        {"kind": trained.kind, "library": trained.library, "estimator": trained.estimator}, buffer
    )
    return buffer.getvalue()


def loads(blob: bytes, *, library: str) -> Trained:
    """The model stored by dumps; ModelUnavailable if another scikit-learn wrote it."""
    if library != _sklearn_version():
        raise ModelUnavailable(
            f"model written by scikit-learn {library}, this is {_sklearn_version()}; retrain it"
        )
    try:
        stored = pickle.loads(bytes(blob))  # noqa: S301 - our own table, see module docstring
    except Exception as exc:
        raise ModelUnavailable(f"stored model cannot be read: {exc}") from exc
    return Trained(kind=stored["kind"], estimator=stored["estimator"], library=stored["library"])


@dataclass
class Figures:
    """Accuracy of one suggester on the held-out paragraphs."""

    paragraphs: int = 0
    accuracy: float = 0.0
    body_vs_rest: float = 0.0
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "paragraphs": self.paragraphs,
            "accuracy": round(self.accuracy, 4),
            "body_vs_rest": round(self.body_vs_rest, 4),
            "per_label": self.per_label,
        }


def figures(truth: list[str], predicted: list[str]) -> Figures:
    """Four-way accuracy, body against the rest, and per label precision, recall and F1."""
    pairs = list(zip(truth, predicted, strict=True))
    if not pairs:
        return Figures()
    per_label = {}
    for label in sorted(set(truth) | set(predicted)):
        right = sum(1 for t, p in pairs if t == p == label)
        support = sum(1 for t, _ in pairs if t == label)
        guessed = sum(1 for _, p in pairs if p == label)
        precision = right / guessed if guessed else 0.0
        recall = right / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "support": support,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    body = BODY
    return Figures(
        paragraphs=len(pairs),
        accuracy=sum(t == p for t, p in pairs) / len(pairs),
        body_vs_rest=sum((t == body) == (p == body) for t, p in pairs) / len(pairs),
        per_label=per_label,
    )
