"""Query parameters shared by the list, facet and stats routes (they mirror the CLI's search options)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ..query.search import Filters

_Multi = Annotated[list[str] | None, Query()]


def filters(
    q: Annotated[str | None, Query(description="Free text; words AND-ed, \"quoted phrases\", synonyms expanded.",
                                   max_length=500)] = None,
    status: Annotated[list[str] | None, Query(description="Status, e.g. recruiting (repeatable).")] = None,
    phase: Annotated[list[str] | None, Query(description="Phase, e.g. phase1 (repeatable).")] = None,
    study_type: _Multi = None,
    registry: _Multi = None,
    country: _Multi = None,
    condition: Annotated[list[str] | None, Query(
        description="Condition label or CURIE (MONDO:…); includes ontology descendants.")] = None,
    cell_type: Annotated[list[str] | None, Query(
        description="Cell type label or CL CURIE; includes descendants.")] = None,
    cell_category: _Multi = None,
    pluripotent_origin: _Multi = None,
    source_tissue: _Multi = None,
    donor: _Multi = None,
    sponsor: _Multi = None,
    start_year_min: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    start_year_max: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    age: Annotated[float | None, Query(ge=0, le=150, description="Age in years the trial's range includes.")] = None,
    sex: Annotated[str | None, Query(pattern="^(female|male)$")] = None,
    healthy_volunteers: bool | None = None,
    stem_cell_only: bool = False,
    per_record: Annotated[bool, Query(description="Count and list registry records instead of studies.")] = False,
) -> Filters:
    return Filters(q=q, status=status or [], phase=phase or [], study_type=study_type or [],
                   registry=registry or [], country=country or [], condition=condition or [],
                   cell_type=cell_type or [], cell_category=cell_category or [],
                   pluripotent_origin=pluripotent_origin or [], source_tissue=source_tissue or [],
                   donor=donor or [], sponsor=sponsor or [], start_year_min=start_year_min,
                   start_year_max=start_year_max, age=age, sex=sex, healthy_volunteers=healthy_volunteers,
                   stem_cell_only=stem_cell_only, per_record=per_record)
