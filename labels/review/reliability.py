"""A project's agreement report, computed from label counts aggregated in the database.

``labels.review.agreement`` holds the maths and stays pure. This module feeds it without loading
annotation rows. Only submitted assignments count: work in progress is not yet an
annotator's answer.

How the data travels. Within an article, the submitted assignments are numbered 0, 1, 2 ...
(their *slots*). One GROUP BY per paragraph sums, over its annotations,
``(label column + 1) × base ** slot`` with ``base = labels + 1``: a base-(labels + 1) number
whose digit ``s`` is the label given by the annotator in slot ``s`` (0: no label). That one
integer says who said what, so both the paragraph's label counts and every annotator pair's
confusion matrix follow from it in NumPy. An outer GROUP BY folds an article's paragraphs
with the same code into one row with a multiplicity, so a million annotations arrive as
about a hundred thousand rows. The slot numbering travels in the same statement (UNION
ALL), so codes and slots come from one snapshot.

A 64-bit code holds ``code_capacity(labels)`` slots (27 for four labels). Articles with more
submitted assignments than that, which only imports can produce, take the general path
instead: a plain per-paragraph GROUP BY for their counts and a self-join aggregate for
their pairs, restricted to those articles.

The SQL is written by hand because the per-paragraph figures are an aggregate of an
aggregate, which the ORM cannot express; it is plain SQL that PostgreSQL and SQLite both run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from numpy.typing import NDArray

from annotator.db_router import read_alias
from labels.models import Annotation, Article, Assignment, GoldLabel, Project
from labels.review import agreement

IntArray = NDArray[np.int64]
Confusions = dict[tuple[str, str], IntArray]

SUBMITTED = Assignment.Status.SUBMITTED
# How many articles the report lists as the ones annotators disagree on most.
WORST_ARTICLES = 20
NO_SOURCE = "(no source)"


def _connection() -> BaseDatabaseWrapper:
    """The connection heavy reads use now: the replica inside ``replica_reads()``."""
    return connections[read_alias()]


@dataclass(frozen=True)
class ProjectLabels:
    """Each paragraph pattern once per article, with how many paragraphs share it.

    ``counts[r, k]`` is how many annotators gave label ``k`` to the ``weights[r]`` paragraphs
    of article ``article_ids[r]`` that row ``r`` stands for.
    """

    counts: IntArray
    weights: IntArray
    article_ids: IntArray

    def expanded(self) -> IntArray:
        """One row per annotated paragraph: the units × labels matrix agreement works on."""
        return np.repeat(self.counts, self.weights, axis=0)


@dataclass(frozen=True)
class Tally:
    """What the database aggregation returns: label patterns, pair tables and raters."""

    labels: ProjectLabels
    # Confusion matrices keyed by annotator ids (a < b): rows a's labels, columns b's.
    pairs: dict[tuple[int, int], IntArray]
    # Submitted articles per annotator id.
    articles_per_annotator: dict[int, int]


def code_capacity(labels: int) -> int:
    """How many slots fit in a signed 64-bit code for this many labels (base ** slots ≤ 2 ** 63)."""
    base = labels + 1
    slots = 0
    while base ** (slots + 1) <= 2**63:
        slots += 1
    return slots


def _tables() -> dict[str, str]:
    quote = _connection().ops.quote_name
    return {
        "annotation": quote(Annotation._meta.db_table),
        "assignment": quote(Assignment._meta.db_table),
        "article": quote(Article._meta.db_table),
        "gold": quote(GoldLabel._meta.db_table),
    }


def label_set(*, project: Project) -> list[tuple[int, str]]:
    """The project's labels as (id, value), in label-set order: the columns of every matrix."""
    return list(project.labels.order_by("order", "pk").values_list("pk", "value"))


def tally(*, project: Project, label_ids: list[int]) -> Tally:
    """Label counts per paragraph and confusion matrices per annotator pair, aggregated in SQL.

    One statement in the common case; two more, restricted to the few articles with more
    raters than a code holds, otherwise. See the module docstring for the encoding.
    """
    size = len(label_ids)
    if size == 0:
        empty = np.zeros((0, 0), np.int64)
        return Tally(ProjectLabels(empty, np.zeros(0, np.int64), np.zeros(0, np.int64)), {}, {})
    capacity = code_capacity(size)
    raters, coded = _coded_paragraphs(project=project, label_ids=label_ids, capacity=capacity)

    rater_articles, rater_slots, rater_ids = raters
    articles_per_annotator = dict(zip(*np.unique(rater_ids, return_counts=True), strict=True))
    raters_per_article = _raters_per_article(rater_articles)
    crowded = sorted(a for a, n in raters_per_article.items() if n > capacity)

    article_ids, codes, weights = coded
    keep = ~np.isin(article_ids, crowded)
    article_ids, codes, weights = article_ids[keep], codes[keep], weights[keep]
    slots = max((n for n in raters_per_article.values() if n <= capacity), default=0)
    digits = decode(codes, labels=size, slots=slots)
    counts = (digits[:, :, None] == np.arange(size)).sum(axis=1)
    who = _annotator_by_slot(
        rater_articles, rater_slots, rater_ids, article_ids=article_ids, slots=slots
    )
    pairs = pair_tables(digits, who=who, weights=weights, labels=size)

    if crowded:
        general = _counts_by_group(project=project, label_ids=label_ids, article_ids=crowded)
        counts = np.vstack([counts, general.counts])
        weights = np.concatenate([weights, general.weights])
        article_ids = np.concatenate([article_ids, general.article_ids])
        for key, matrix in pairs_by_self_join(
            project=project, label_ids=label_ids, article_ids=crowded
        ).items():
            pairs[key] = pairs.get(key, 0) + matrix

    annotated = counts.any(axis=1)
    folded = ProjectLabels(
        counts=counts[annotated].astype(np.int64),
        weights=weights[annotated].astype(np.int64),
        article_ids=article_ids[annotated].astype(np.int64),
    )
    return Tally(
        labels=folded,
        pairs=pairs,
        articles_per_annotator={int(k): int(v) for k, v in articles_per_annotator.items()},
    )


def _raters_sql(t: dict[str, str]) -> str:
    return f"""
        SELECT s.id AS assignment_id, s.article_id AS article_id, s.annotator_id AS annotator_id,
               ROW_NUMBER() OVER (PARTITION BY s.article_id ORDER BY s.id) - 1 AS slot
        FROM {t["assignment"]} s
        JOIN {t["article"]} ar ON ar.id = s.article_id
        WHERE ar.project_id = %s AND ar.control_since IS NULL AND s.status = %s
    """


def _coded_paragraphs(
    *, project: Project, label_ids: list[int], capacity: int
) -> tuple[tuple[IntArray, IntArray, IntArray], tuple[IntArray, IntArray, IntArray]]:
    """(article, slot, annotator) of every submitted assignment and (article, code, paragraphs)
    of every distinct code, from one statement."""
    t = _tables()
    raters = _raters_sql(t)
    base = len(label_ids) + 1
    digit = " ".join(f"WHEN %s THEN {n + 1}" for n in range(len(label_ids)))
    # Literal integers we computed, so they are inlined rather than bound.
    place = " ".join(f"WHEN {slot} THEN {base**slot}" for slot in range(capacity))
    sql = f"""
        SELECT article_id, slot, annotator_id, NULL AS code, NULL AS paragraphs
        FROM ({raters}) raters
        UNION ALL
        SELECT article_id, NULL, NULL, code, COUNT(*)
        FROM (
            SELECT r.article_id AS article_id,
                   CAST(SUM((CASE a.label_id {digit} ELSE 0 END)
                            * (CASE r.slot {place} ELSE 0 END)) AS BIGINT) AS code
            FROM {t["annotation"]} a
            JOIN ({raters}) r ON r.assignment_id = a.assignment_id
            GROUP BY r.article_id, a.paragraph_id
        ) paragraphs
        GROUP BY article_id, code
    """
    params = [project.pk, SUBMITTED, *label_ids, project.pk, SUBMITTED]
    with _connection().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rater_rows = [(a, s, u) for a, s, u, _, _ in rows if s is not None]
    code_rows = [(a, c, n) for a, s, _, c, n in rows if s is None]
    raters_array = np.array(rater_rows, dtype=np.int64).reshape(-1, 3)
    codes_array = np.array(code_rows, dtype=np.int64).reshape(-1, 3)
    return (
        (raters_array[:, 0], raters_array[:, 1], raters_array[:, 2]),
        (codes_array[:, 0], codes_array[:, 1], codes_array[:, 2]),
    )


def _raters_per_article(rater_articles: IntArray) -> dict[int, int]:
    articles, raters = np.unique(rater_articles, return_counts=True)
    return dict(zip(articles.tolist(), raters.tolist(), strict=True))


def decode(codes: IntArray, *, labels: int, slots: int) -> IntArray:
    """Each code's digits as label columns per slot, rows × slots; −1 where a slot gave no label."""
    base = labels + 1
    digits = np.empty((len(codes), slots), dtype=np.int64)
    rest = np.asarray(codes, dtype=np.int64).copy()
    for slot in range(slots):
        digits[:, slot] = rest % base
        rest //= base
    return digits - 1


def _annotator_by_slot(
    rater_articles: IntArray,
    rater_slots: IntArray,
    rater_ids: IntArray,
    *,
    article_ids: IntArray,
    slots: int,
) -> IntArray:
    """The annotator id behind each (row, slot), −1 where the article has no such slot."""
    who = np.full((len(article_ids), slots), -1, dtype=np.int64)
    if len(article_ids) == 0 or slots == 0:
        return who
    order = np.lexsort((rater_slots, rater_articles))
    known = np.unique(rater_articles)
    table = np.full((len(known), slots), -1, dtype=np.int64)
    fits = rater_slots[order] < slots
    rows = np.searchsorted(known, rater_articles[order][fits])
    table[rows, rater_slots[order][fits]] = rater_ids[order][fits]
    return table[np.searchsorted(known, article_ids)]


def pair_tables(
    digits: IntArray, *, who: IntArray, weights: IntArray, labels: int
) -> dict[tuple[int, int], IntArray]:
    """Confusion matrices per annotator pair (smaller id first) from decoded slot labels.

    Every two slots that both labelled a paragraph are one pair of annotations, counted as
    often as the row's weight.
    """
    # Annotators by rank, so (a, b, label a, label b) packs into one integer key.
    people, rank = np.unique(who, return_inverse=True)
    rank = rank.reshape(who.shape)
    n = len(people)
    keys: list[IntArray] = []
    counts: list[IntArray] = []
    slots = digits.shape[1]
    for first in range(slots):
        for second in range(first + 1, slots):
            both = (digits[:, first] >= 0) & (digits[:, second] >= 0)
            a, b = rank[both, first], rank[both, second]
            la, lb = digits[both, first], digits[both, second]
            # Ranks follow ids, so swapping to a < b orients every pair by id.
            swap = a > b
            a, b = np.where(swap, b, a), np.where(swap, a, b)
            la, lb = np.where(swap, lb, la), np.where(swap, la, lb)
            keys.append(((a * n + b) * labels + la) * labels + lb)
            counts.append(weights[both])
    if not keys:
        return {}
    distinct, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    totals = np.bincount(inverse, weights=np.concatenate(counts)).astype(np.int64)
    matrices: dict[tuple[int, int], IntArray] = {}
    for key, total in zip(distinct.tolist(), totals.tolist(), strict=True):
        pair, lb = divmod(key, labels)
        pair, la = divmod(pair, labels)
        a, b = divmod(pair, n)
        matrix = matrices.setdefault(
            (int(people[a]), int(people[b])), np.zeros((labels, labels), dtype=np.int64)
        )
        matrix[la, lb] += total
    return matrices


def _in_list(values: list[int]) -> str:
    return ", ".join(["%s"] * len(values))


def _counts_by_group(
    *, project: Project, label_ids: list[int], article_ids: list[int]
) -> ProjectLabels:
    """Label counts per paragraph of the given articles, a plain GROUP BY (the general path)."""
    t = _tables()
    columns = ", ".join(
        f"SUM(CASE WHEN a.label_id = %s THEN 1 ELSE 0 END) AS c{n}" for n in range(len(label_ids))
    )
    sql = f"""
        SELECT s.article_id, {columns}
        FROM {t["annotation"]} a
        JOIN {t["assignment"]} s ON s.id = a.assignment_id
        JOIN {t["article"]} ar ON ar.id = s.article_id
        WHERE ar.project_id = %s AND ar.control_since IS NULL AND s.status = %s AND s.article_id IN ({_in_list(article_ids)})
        GROUP BY s.article_id, a.paragraph_id
    """
    with _connection().cursor() as cursor:
        cursor.execute(sql, [*label_ids, project.pk, SUBMITTED, *article_ids])
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, len(label_ids) + 1)
    return ProjectLabels(
        counts=rows[:, 1:], weights=np.ones(len(rows), np.int64), article_ids=rows[:, 0]
    )


def pairs_by_self_join(
    *, project: Project, label_ids: list[int], article_ids: list[int] | None = None
) -> dict[tuple[int, int], IntArray]:
    """Confusion matrices per annotator pair (smaller id first) from a self-join aggregate.

    The general path for crowded articles, and the straightforward definition the coded
    path is tested against. ``article_ids`` restricts it; None means the whole project.
    """
    t = _tables()
    only = "" if article_ids is None else f"AND sa.article_id IN ({_in_list(article_ids)})"
    sql = f"""
        SELECT sa.annotator_id, sb.annotator_id, a.label_id, b.label_id, COUNT(*)
        FROM {t["annotation"]} a
        JOIN {t["assignment"]} sa ON sa.id = a.assignment_id
        JOIN {t["article"]} ar ON ar.id = sa.article_id
        JOIN {t["annotation"]} b ON b.paragraph_id = a.paragraph_id
        JOIN {t["assignment"]} sb ON sb.id = b.assignment_id
        WHERE ar.project_id = %s AND ar.control_since IS NULL AND sa.status = %s AND sb.status = %s
          AND sa.annotator_id < sb.annotator_id {only}
        GROUP BY sa.annotator_id, sb.annotator_id, a.label_id, b.label_id
    """
    with _connection().cursor() as cursor:
        cursor.execute(sql, [project.pk, SUBMITTED, SUBMITTED, *(article_ids or [])])
        rows = cursor.fetchall()
    column = {pk: n for n, pk in enumerate(label_ids)}
    matrices: dict[tuple[int, int], IntArray] = {}
    for a, b, label_a, label_b, n in rows:
        if label_a in column and label_b in column:
            matrix = matrices.setdefault((a, b), np.zeros((len(label_ids),) * 2, np.int64))
            matrix[column[label_a], column[label_b]] += n
    return matrices


def gold_confusions(*, project: Project, label_ids: list[int]) -> dict[int, IntArray]:
    """Per annotator id, a confusion matrix of their labels (rows) against stored gold (columns)."""
    t = _tables()
    sql = f"""
        SELECT s.annotator_id, a.label_id, g.label_id, COUNT(*)
        FROM {t["gold"]} g
        JOIN {t["annotation"]} a ON a.paragraph_id = g.paragraph_id
        JOIN {t["assignment"]} s ON s.id = a.assignment_id
        JOIN {t["article"]} ar ON ar.id = s.article_id
        WHERE ar.project_id = %s AND ar.control_since IS NULL AND s.status = %s
        GROUP BY s.annotator_id, a.label_id, g.label_id
    """
    with _connection().cursor() as cursor:
        cursor.execute(sql, [project.pk, SUBMITTED])
        rows = cursor.fetchall()
    column = {pk: n for n, pk in enumerate(label_ids)}
    matrices: dict[int, IntArray] = {}
    for annotator, label, gold, n in rows:
        if label in column and gold in column:
            matrix = matrices.setdefault(annotator, np.zeros((len(label_ids),) * 2, np.int64))
            matrix[column[label], column[gold]] += n
    return matrices


def tune_for_aggregation() -> None:
    """On PostgreSQL, give this transaction's aggregates room, skip JIT, and stay serial.

    Hashing half a million paragraphs needs more than the default 4 MB of work_mem (it would
    spill to disk); JIT compiling costs more than it saves on queries this short; and a
    parallel plan would rebuild the same per-paragraph hash table in every worker, tripling
    the work. SET LOCAL ends with the transaction. Call inside a transaction.
    """
    if _connection().vendor == "postgresql":
        with _connection().cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def project_agreement(*, project: Project, resamples: int = 1000, seed: int = 0) -> dict:
    """The project's agreement report: agreement.summarize's JSON plus per source, per article,
    per annotator and against gold. Every null is explained; no number is NaN.

    A small constant number of queries whatever the project's size; nothing is loaded per row.
    """
    labels = label_set(project=project)
    label_ids = [pk for pk, _ in labels]
    values = [value for _, value in labels]
    with transaction.atomic(using=read_alias()):
        tune_for_aggregation()
        counted = tally(project=project, label_ids=label_ids)
        versus_gold = gold_confusions(project=project, label_ids=label_ids)
    names = usernames(set(counted.articles_per_annotator) | set(versus_gold))
    report = agreement.summarize(
        counted.labels.expanded(),
        values,
        annotators=len(counted.articles_per_annotator),
        pair_confusions=named_pairs(counted.pairs, names),
        resamples=resamples,
        seed=seed,
    )
    folded = counted.labels
    sources, source_names = source_of_rows(project=project, article_ids=folded.article_ids)
    report["per_source"] = per_group(folded, groups=sources, names=source_names, key="source")
    articles = per_group(folded, groups=folded.article_ids, key="article")
    report["articles_with_disagreements"] = sum(1 for a in articles if a["disagreeing_units"])
    report["worst_articles"] = describe_articles(worst_articles(articles))
    report["annotator_articles"] = {
        names[pk]: n
        for pk, n in sorted(counted.articles_per_annotator.items(), key=lambda i: names[i[0]])
    }
    report["gold"] = gold_scores({names[pk]: matrix for pk, matrix in versus_gold.items()}, values)
    return report


def source_of_rows(*, project: Project, article_ids: IntArray) -> tuple[IntArray, list[str]]:
    """Each row's source as an index into the returned source names; one query.

    Rows are grouped by integer codes, not by strings: sorting half a million strings would
    be the slowest step of the report.
    """
    articles = list(
        Article.objects.filter(project=project).values_list("pk", "source").order_by("pk")
    )
    if not articles:
        return np.zeros(len(article_ids), dtype=np.int64), []
    pks = np.array([pk for pk, _ in articles], dtype=np.int64)
    names, codes = np.unique([source or NO_SOURCE for _, source in articles], return_inverse=True)
    return codes[np.searchsorted(pks, article_ids)], names.tolist()


def usernames(ids: set[int]) -> dict[int, str]:
    """Username per user id, one query."""
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))


def named_pairs(pairs: dict[tuple[int, int], IntArray], names: dict[int, str]) -> Confusions:
    """Pair tables keyed by usernames (a < b), sorted, so the report reads the same whatever the ids."""
    named: Confusions = {}
    for (a, b), matrix in pairs.items():
        if names[a] <= names[b]:
            named[(names[a], names[b])] = matrix
        else:
            named[(names[b], names[a])] = matrix.T
    return dict(sorted(named.items()))


def per_group(
    folded: ProjectLabels, *, groups: IntArray, key: str, names: list[str] | None = None
) -> list[dict]:
    """Alpha, units, pairable and disagreeing units and observed agreement for each group of rows.

    ``groups`` gives each row an integer group; the output names a group by ``names[group]``,
    or by the integer itself without ``names``. Sorted by alpha, lowest first (groups without
    one last), then by name.
    """
    counts, weights = folded.counts, folded.weights
    if len(counts) == 0:
        return []
    present, index = np.unique(groups, return_inverse=True)
    alphas = agreement.alpha_by_group(counts, groups=index, weights=weights)
    sizes = counts.sum(axis=1)
    pairable = sizes >= 2
    agreeing = np.where(
        pairable, (counts * (counts - 1)).sum(axis=1) / np.maximum(sizes * (sizes - 1), 1), 0.0
    )
    disagreeing = pairable & (np.count_nonzero(counts, axis=1) > 1)
    width = len(present)

    def total(values: NDArray[Any]) -> NDArray[np.float64]:
        return np.bincount(index, weights=weights * values, minlength=width)

    units, annotations = total(np.ones(len(counts))), total(sizes)
    pairable_units, agreeing_share = total(pairable), total(agreeing)
    disagreeing_units = total(disagreeing)
    result = []
    for position, group in enumerate(present.tolist()):
        alpha = alphas[position]
        name = names[group] if names is not None else group
        pairs = int(pairable_units[position])
        result.append(
            {
                key: name,
                "units": int(units[position]),
                "annotations": int(annotations[position]),
                "pairable_units": pairs,
                "disagreeing_units": int(disagreeing_units[position]),
                "percent_agreement": float(agreeing_share[position] / pairs) if pairs else None,
                "alpha": alpha.value,
                "reason": alpha.reason,
            }
        )
    result.sort(key=lambda g: (g["alpha"] is None, g["alpha"] or 0.0, str(g[key])))
    return result


def worst_articles(articles: list[dict], *, limit: int = WORST_ARTICLES) -> list[dict]:
    """The articles with disagreements, least observed agreement first (then most disagreements).

    Observed agreement ranks them rather than alpha because one disagreement in an article of
    body paragraphs gives alpha near 0 (the kappa paradox), which would bury articles where
    annotators disagree on half the paragraphs.
    """
    divided = [a for a in articles if a["disagreeing_units"]]
    divided.sort(key=lambda a: (a["percent_agreement"], -a["disagreeing_units"], a["article"]))
    return divided[:limit]


def describe_articles(articles: list[dict]) -> list[dict]:
    """The rows with external id, title and source added (one query), the article pk as ``pk``."""
    details = {
        pk: (external_id, title, source)
        for pk, external_id, title, source in Article.objects.filter(
            pk__in=[a["article"] for a in articles]
        ).values_list("pk", "external_id", "title", "source")
    }
    described = []
    for row in articles:
        pk = row.pop("article")
        external_id, title, source = details[pk]
        described.append(
            {"pk": pk, "article_id": external_id, "title": title, "source": source, **row}
        )
    return described


def gold_scores(confusions: dict[str, IntArray], labels: list[str]) -> dict:
    """Per annotator: paragraphs compared with gold, accuracy, and precision/recall per label."""
    scores = []
    for username, matrix in sorted(confusions.items()):
        compared = int(matrix.sum())
        per_label = agreement.precision_recall(matrix, labels)
        scores.append(
            {
                "annotator": username,
                "compared": compared,
                "accuracy": float(np.trace(matrix) / compared) if compared else None,
                "per_label": {
                    label: {
                        "precision": score.precision,
                        "recall": score.recall,
                        "support": score.support,
                    }
                    for label, score in per_label.items()
                },
            }
        )
    return {"annotators": scores, "labels": labels}
