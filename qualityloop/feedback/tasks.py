"""Background work for surveys. Tasks take ids, re-read state, and are safe to run twice:
a survey whose e-mail went out is not sent again."""

from django_tasks import task

from . import services


@task()
def send_survey_task(complaint_id: int, key: str) -> bool:
    """Make the survey of ``key`` and e-mail its link; True if it went out.

    The raw token lives only in this run (and in the e-mail), never in the task queue.
    """
    prepared = services.prepare_survey_email(complaint_id=complaint_id, key=key)
    if prepared is None:
        return False
    survey, raw_token = prepared
    return services.deliver_survey(survey_id=survey.pk, raw_token=raw_token)
