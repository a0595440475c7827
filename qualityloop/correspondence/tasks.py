"""Background work for the communication log. Tasks take ids, re-read state, and are safe to
run twice: a message is delivered only while it is queued."""

from django_tasks import task

from qualityloop.complaints import services as complaint_services
from qualityloop.complaints.models import Complaint

from . import services
from .choices import DeliveryStatus, TemplateCode


@task()
def send_acknowledgement(complaint_id: int) -> bool:
    """E-mail the complainant that the complaint is registered, with its number.

    The text is the "acknowledgement" message template in the complainant's language, and
    the e-mail is logged with the complaint's messages, sent or failed.
    """
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or complaint.acknowledgement_sent_at or not complaint.complainant_email:
        return False
    message = services.queue_acknowledgement(complaint_id=complaint_id)
    if message is None:
        return False
    message = services.deliver(message_id=message.pk)
    if message is None or message.status != DeliveryStatus.SENT:
        return False
    return complaint_services.mark_acknowledgement_sent(complaint_id=complaint_id)


@task()
def send_message_task(message_id: int) -> bool:
    """Send one logged e-mail; True if it went out."""
    message = services.deliver(message_id=message_id)
    if message is None or message.status != DeliveryStatus.SENT:
        return False
    if message.template_code == TemplateCode.ACKNOWLEDGEMENT:
        # An acknowledgement sent again by hand still counts as the acknowledgement.
        complaint_services.mark_acknowledgement_sent(complaint_id=message.complaint_id)
    return True


@task()
def send_milestone_task(complaint_id: int, milestone: str, key: str) -> bool:
    """Log and send the message of a milestone; True if it went out."""
    message = services.queue_milestone(complaint_id=complaint_id, milestone=milestone, key=key)
    if message is None:
        return False
    message = services.deliver(message_id=message.pk)
    return message is not None and message.status == DeliveryStatus.SENT
