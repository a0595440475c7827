"""Background work for complaints. Tasks take ids, re-read state and are safe to run twice."""

from django_tasks import task

from .models import Complaint


@task()
def send_acknowledgement(complaint_id: int) -> bool:
    """E-mail the complainant that the complaint is registered, with its number.

    The text is the "acknowledgement" message template in the complainant's language, and
    the e-mail is logged with the complaint's messages, sent or failed.
    """
    from qualityloop.correspondence import services as correspondence
    from qualityloop.correspondence.choices import DeliveryStatus

    from . import services

    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or complaint.acknowledgement_sent_at or not complaint.complainant_email:
        return False
    message = correspondence.queue_acknowledgement(complaint_id=complaint_id)
    if message is None:
        return False
    message = correspondence.deliver(message_id=message.pk)
    if message is None or message.status != DeliveryStatus.SENT:
        return False
    return services.mark_acknowledgement_sent(complaint_id=complaint_id)
