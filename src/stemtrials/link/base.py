"""The link: two records judged to be one trial, with why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

LinkKind = Literal["id", "probabilistic"]


@dataclass(frozen=True)
class Link:
    """Records ``a`` and ``b`` (record ids, ``a < b``) are registrations of the same trial.

    ``score`` orders links by strength (1.0: one record names the other's primary ID); ``evidence`` is JSON-ready:
    the IDs that matched, or each compared field's level and the match weight — enough for a curator to judge it.
    """

    a: str
    b: str
    kind: LinkKind
    score: float
    evidence: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if not self.a < self.b:
            raise ValueError(f"link ends must be ordered and distinct: {self.a!r} < {self.b!r}")


def make_link(x: str, y: str, kind: LinkKind, score: float, evidence: dict[str, Any]) -> Link:
    a, b = (x, y) if x < y else (y, x)
    return Link(a, b, kind, round(float(score), 6), evidence)
