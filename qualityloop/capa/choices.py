from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionType(models.TextChoices):
    CONTAINMENT = "containment", _("Containment (遏制)")
    CORRECTIVE = "corrective", _("Corrective (纠正)")
    PREVENTIVE = "preventive", _("Preventive (预防)")
    IMPROVEMENT = "improvement", _("Improvement (改进)")


# These must say, when planned, how their effect will be judged.
NEEDS_CRITERIA = frozenset({ActionType.CORRECTIVE, ActionType.PREVENTIVE})


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done, awaiting verification")
    VERIFIED = "verified", _("Verified effective")
    INEFFECTIVE = "ineffective", _("Not effective, reopened")


OPEN_STATUSES = frozenset(
    {ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.INEFFECTIVE}
)
ACTION_STATUS_COLOURS = {
    ActionStatus.PLANNED: "grey",
    ActionStatus.IN_PROGRESS: "blue",
    ActionStatus.DONE: "orange",
    ActionStatus.VERIFIED: "green",
    ActionStatus.INEFFECTIVE: "red",
}


class Rating(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTLY = "partly_effective", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


RATING_COLOURS = {Rating.EFFECTIVE: "green", Rating.PARTLY: "orange", Rating.NOT_EFFECTIVE: "red"}


class RemedyKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    EXPLANATION = "explanation", _("Explanation")
    OTHER = "other", _("Other")


class RemedyStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    GIVEN = "given", _("Given")


REMEDY_STATUS_COLOURS = {
    RemedyStatus.PROPOSED: "grey",
    RemedyStatus.APPROVED: "blue",
    RemedyStatus.REJECTED: "dark",
    RemedyStatus.GIVEN: "green",
}


class CostCategory(models.TextChoices):
    """The four buckets of the cost of quality (PAF model)."""

    INTERNAL_FAILURE = "internal_failure", _("Internal failure (内部损失)")
    EXTERNAL_FAILURE = "external_failure", _("External failure (外部损失)")
    APPRAISAL = "appraisal", _("Appraisal (鉴定成本)")
    PREVENTION = "prevention", _("Prevention (预防成本)")
