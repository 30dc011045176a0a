"""The probabilistic model's comparisons (DuckDB SQL, one level list per field) and its parameters.

Each field's levels run from strongest agreement to ``else``; the first level whose condition holds is the pair's
level for that field, and contributes log2(m/u) to the match weight. ``m`` (how often a true cross-registration
shows the level) and ``u`` (how often two unrelated records do) live in ``params.json``: u is estimated by splink's
random sampling on the real records of ../shared (bench/train_linking.py), m are priors (too few labelled real
cross-registrations exist to estimate them; the script re-estimates m from ID-linked pairs when a corpus has
enough). Shipping fixed parameters keeps links stable across re-imports and meaningful for a batch of two records.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

_JW = "coalesce(jaro_winkler_similarity({a}, {b}), 0)"
TITLE_JW = "greatest({}, {}, {})".format(
    _JW.format(a="title_l", b="title_r"),
    _JW.format(a="title_l", b="official_r"),
    _JW.format(a="official_l", b="title_r"),
)
TOKEN_JACCARD = "(len(list_intersect(ttok_l, ttok_r)) / len(list_distinct(list_concat(ttok_l, ttok_r))))"
COND_JACCARD = "(len(list_intersect(cond_l, cond_r)) / len(list_distinct(list_concat(cond_l, cond_r))))"
SPONSOR_JACCARD = "(len(list_intersect(sptok_l, sptok_r)) / len(list_distinct(list_concat(sptok_l, sptok_r))))"
START_DAYS = "abs(date_diff('day', start_l, start_r))"

# (field, [(level label, SQL condition)]): the first level is the null level (no evidence either way).
COMPARISONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("title", [
        ("null", "title_l IS NULL OR title_r IS NULL"),
        ("exact", "title_l = title_r OR title_l = official_r OR official_l = title_r"),
        ("jw>=0.95", f"{TITLE_JW} >= 0.95"),
        ("tokens>=0.6", f"ttok_l IS NOT NULL AND ttok_r IS NOT NULL AND {TOKEN_JACCARD} >= 0.6"),
        ("jw>=0.88|tokens>=0.4",
         f"{TITLE_JW} >= 0.88 OR (ttok_l IS NOT NULL AND ttok_r IS NOT NULL AND {TOKEN_JACCARD} >= 0.4)"),
        ("else", "ELSE"),
    ]),
    ("official_title", [
        ("null", "official_l IS NULL OR official_r IS NULL"),
        ("exact", "official_l = official_r"),
        ("jw>=0.95", "jaro_winkler_similarity(official_l, official_r) >= 0.95"),
        ("jw>=0.88", "jaro_winkler_similarity(official_l, official_r) >= 0.88"),
        ("else", "ELSE"),
    ]),
    ("sponsor", [
        ("null", "sponsor_l IS NULL OR sponsor_r IS NULL"),
        ("exact", "sponsor_l = sponsor_r"),
        ("any sponsor", "list_has_any(sponsors_l, sponsors_r)"),
        ("jw>=0.9", "jaro_winkler_similarity(sponsor_l, sponsor_r) >= 0.9"),
        ("tokens>=0.6", f"sptok_l IS NOT NULL AND sptok_r IS NOT NULL AND {SPONSOR_JACCARD} >= 0.6"),
        ("else", "ELSE"),
    ]),
    ("start_date", [
        ("null", "start_l IS NULL OR start_r IS NULL"),
        ("exact", "start_l = start_r"),
        ("<=30 days", f"{START_DAYS} <= 30"),
        ("<=1 year", f"{START_DAYS} <= 365"),
        ("else", "ELSE"),
    ]),
    ("target_size", [
        ("null", "size_l IS NULL OR size_r IS NULL"),
        ("exact", "size_l = size_r"),
        ("<=10%", "abs(size_l - size_r) <= 0.1 * greatest(size_l, size_r)"),
        ("else", "ELSE"),
    ]),
    ("conditions", [
        ("null", "cond_l IS NULL OR cond_r IS NULL"),
        ("tokens>=0.5", f"{COND_JACCARD} >= 0.5"),
        ("overlap", "list_has_any(cond_l, cond_r)"),
        ("else", "ELSE"),
    ]),
    ("countries", [
        ("null", "countries_l IS NULL OR countries_r IS NULL"),
        ("same", "countries_l = countries_r"),
        ("overlap", "list_has_any(countries_l, countries_r)"),
        ("else", "ELSE"),
    ]),
    ("contact", [
        ("null", "(emails_l IS NULL AND people_l IS NULL) OR (emails_r IS NULL AND people_r IS NULL)"),
        ("email", "list_has_any(emails_l, emails_r)"),
        ("name", "list_has_any(people_l, people_r)"),
        ("else", "ELSE"),
    ]),
]

BLOCKING_RULE = "l.bkeys = r.bkeys AND l.grp <> r.grp"


@lru_cache(maxsize=1)
def params() -> dict[str, Any]:
    """The shipped parameters: lambda, threshold, m and u per field level."""
    text = resources.files(__package__).joinpath("params.json").read_text(encoding="utf-8")
    return json.loads(text)


def settings(p: dict[str, Any] | None = None) -> dict[str, Any]:
    """A splink settings dict (dedupe within one table; pairs only across registries) with parameters ``p``."""
    p = p or params()
    comparisons = []
    for name, levels in COMPARISONS:
        out_levels: list[dict[str, Any]] = []
        for label, sql in levels:
            level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
            if label == "null":
                level["is_null_level"] = True
            else:
                level["m_probability"] = p["m"][name][label]
                level["u_probability"] = p["u"][name][label]
            out_levels.append(level)
        comparisons.append({"output_column_name": name, "comparison_levels": out_levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": p["lambda"],
        "blocking_rules_to_generate_predictions": [{"blocking_rule": BLOCKING_RULE, "arrays_to_explode": ["bkeys"]}],
        "comparisons": comparisons,
        "retain_matching_columns": True,  # gamma (the level of each field) comes only with these
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
    }


def level_labels() -> dict[str, list[str]]:
    """field → its level labels in gamma order (gamma -1 is null; 0 is the last level, 'else')."""
    return {name: [label for label, _ in levels] for name, levels in COMPARISONS}


def gamma_label(name: str, gamma: int) -> str:
    """Splink numbers a comparison's levels from the bottom: else = 0, the strongest = n-1, null = -1."""
    labels = [label for label, _ in dict(COMPARISONS)[name]]
    if gamma == -1:
        return "null"
    return labels[len(labels) - 1 - gamma]
