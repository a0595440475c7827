"""The life cycles of an action and of a remedy, declared once. Pure: no I/O.

An action is planned, worked on, done, then checked: a check that finds it effective verifies
it; one that does not sends it back to work (``in_progress``), its notes, evidence and the
failed check kept. A remedy is proposed, then given; above the approval threshold it must be
approved first.
"""

from dataclasses import dataclass
from decimal import Decimal

from .choices import ActionStatus, Rating, RemedyStatus

WORKABLE = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.INEFFECTIVE})


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset[str]
    target: str


ACTION_STEPS = {
    step.name: step
    for step in (
        Step(
            "start",
            frozenset({ActionStatus.PLANNED, ActionStatus.INEFFECTIVE}),
            ActionStatus.IN_PROGRESS,
        ),
        Step("complete", WORKABLE, ActionStatus.DONE),
        Step("verify", frozenset({ActionStatus.DONE}), ActionStatus.VERIFIED),
        Step("reopen", frozenset({ActionStatus.DONE}), ActionStatus.IN_PROGRESS),
    )
}


def allows(step: str, status: str) -> bool:
    return status in ACTION_STEPS[step].sources


def check_outcome(rating: str, *, reopen_partly: bool) -> str:
    """The step a check with ``rating`` takes: "verify" or "reopen"."""
    if rating == Rating.EFFECTIVE:
        return "verify"
    if rating == Rating.PARTLY and not reopen_partly:
        return "verify"
    return "reopen"


def needs_approval(amount: Decimal, threshold: Decimal) -> bool:
    """Strictly above the threshold; a remedy of exactly the threshold needs none."""
    return amount > threshold


def may_give(status: str, amount: Decimal, threshold: Decimal) -> bool:
    if status == RemedyStatus.APPROVED:
        return True
    return status == RemedyStatus.PROPOSED and not needs_approval(amount, threshold)
