"""The one way QualityLoop sends an e-mail: plain text, now, through Django's mail backend."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

SMTP_TIMEOUT = 30


def send_email(
    *,
    subject: str,
    body: str,
    to: Iterable[str],
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Send one e-mail; ``from_email`` defaults to ``DEFAULT_FROM_EMAIL``, ``timeout`` to
    ``EMAIL_TIMEOUT`` (else 30 s).

    Every error (a refusal by the server, a server that cannot be reached) propagates: the
    caller records the failure or lets its task be retried. Subject and body are sent as
    given, so the caller renders them in the reader's language first.
    """
    connection = get_connection(timeout=timeout or settings.EMAIL_TIMEOUT or SMTP_TIMEOUT)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=from_email or None,
        to=list(to),
        headers=headers or {},
        connection=connection,
    ).send()
