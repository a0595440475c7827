"""Background work for complaints. Tasks take ids, re-read state and are safe to run twice."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .models import Complaint


@task()
def send_acknowledgement(complaint_id: int) -> bool:
    """E-mail the complainant that the complaint is registered, with its number."""
    from . import services

    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or complaint.acknowledgement_sent_at or not complaint.complainant_email:
        return False
    with translation.override("zh-hans"):
        context = {"complaint": complaint}
        subject = render_to_string("complaints/email/acknowledgement_subject.txt", context)
        body = render_to_string("complaints/email/acknowledgement.txt", context)
    send_mail(" ".join(subject.split()), body, None, [complaint.complainant_email])
    return services.mark_acknowledgement_sent(complaint_id=complaint_id)
