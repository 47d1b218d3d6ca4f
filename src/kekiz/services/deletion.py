"""Delete a dataset, an indicator, a unit or a period, with the values derived from it.

:meth:`DeletionService.plan` says what would be removed (nothing is removed);
:meth:`DeletionService.delete` removes it in one transaction and records it in the audit
log.  A deletion is refused, with the reason, where Leitbild targets use the data (unless
``force``) and where other rows reference a unit (members, funding, accounts, grants,
Leitbild, cooperation actors, service locations: those are removed first).
"""

from __future__ import annotations

from kekiz.domain.deletion import DeletionPlan
from kekiz.domain.errors import KekizError
from kekiz.services.base import actor
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["DeletionService"]


class DeletionService:
    """Plans and applies deletions."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def plan(self, kind: str, target: str, indicator: str | None = None) -> DeletionPlan:
        return self.store.deletion_plan(kind, target, indicator)

    def check(self, plan: DeletionPlan, *, force: bool = False) -> None:
        """Raise with the reason when the plan may not be applied."""
        what = f"{plan.kind} '{plan.target}'"
        if plan.blockers:
            listed = "; ".join(plan.blockers)
            raise KekizError(
                f"Löschen von {what} abgelehnt: darauf verweisen {listed}. Abhilfe: diese "
                "zuerst entfernen oder ersetzen; es wurde nichts gelöscht.",
                message_en=f"Deleting {what} refused: referenced by {listed}. Fix: remove or "
                "replace those first; nothing was deleted.")
        if plan.goals and not force:
            listed = "; ".join(plan.goals[:10])
            raise KekizError(
                f"Löschen von {what} abgelehnt: {len(plan.goals)} Zielwerte eines Leitbilds "
                f"beruhen darauf ({listed}). Abhilfe: das Leitbild anpassen oder mit --force "
                "trotzdem löschen (die Ziele haben dann keine Werte); es wurde nichts "
                "gelöscht.",
                message_en=f"Deleting {what} refused: {len(plan.goals)} Leitbild targets "
                f"depend on it ({listed}). Fix: change the Leitbild or delete anyway with "
                "--force (the goals then have no values); nothing was deleted.")

    def delete(self, plan: DeletionPlan, *, force: bool = False) -> int:
        """Apply a plan (checked first) and record it in the audit log."""
        self.check(plan, force=force)
        with self.store.transaction() as tx:
            removed = tx.apply_deletion(plan)
            tx.auth.add_audit(actor(self.settings), f"delete.{plan.kind}", plan.target,
                              before=plan.counts(),
                              after={"removed": removed, "force": force,
                                     "goals": plan.goals, "datasets": plan.datasets})
        return removed
