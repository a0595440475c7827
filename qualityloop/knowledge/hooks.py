"""A complaint closed after its investigation becomes a draft knowledge entry."""

from . import services


def finished(complaint, *, transition, actor, at) -> None:
    if transition == "close":
        services.create_from_complaint(complaint_id=complaint.pk, actor=actor)
