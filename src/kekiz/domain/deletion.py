"""What a deletion removes: the rows themselves, the values derived from them, and what
stands in the way (no I/O).

A :class:`DeletionPlan` is computed by the store before anything is removed, shown to the
user for confirmation and then applied in one transaction.  ``goals`` names the Leitbild
targets that use the data (a deletion that touches them needs ``--force``); ``blockers``
names rows of other tables that reference a unit and must be removed first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DELETE_KINDS", "DeletionPlan"]

#: What ``kekiz delete`` removes.
DELETE_KINDS = ("dataset", "indicator", "unit", "period")


@dataclass
class DeletionPlan:
    """The rows one deletion removes (ids), with its dependent derived values."""

    kind: str
    target: str
    #: observation ids of the data itself
    observations: list[int] = field(default_factory=list)
    #: observation ids of values derived from it (aggregates, rates, indices ...)
    derived: list[int] = field(default_factory=list)
    #: dataset ids removed with their rows (the dataset itself, dependent derived ones)
    datasets: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    members: int = 0
    funding: int = 0
    goals: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The number of rows per kind, for the confirmation and the audit log."""
        return {"observations": len(self.observations), "derived": len(self.derived),
                "datasets": len(self.datasets), "units": len(self.units),
                "indicators": len(self.indicators), "members": self.members,
                "funding": self.funding}

    @property
    def empty(self) -> bool:
        return not any(self.counts().values())
