from django.urls import path

from . import views

urlpatterns = [
    path("complaints/<int:pk>/wait/", views.wait, name="complaint-wait"),
    path("complaints/<int:pk>/resume/", views.resume, name="complaint-resume"),
    path("complaints/<int:pk>/escalate/", views.escalate, name="complaint-escalate"),
    path(
        "complaints/<int:pk>/tasks/<int:task_id>/remind/",
        views.remind,
        name="task-remind",
    ),
    path("complaints/<int:pk>/rectification/", views.add_item, name="rectification-add"),
    path(
        "complaints/<int:pk>/rectification/submit/",
        views.submit_plan,
        name="rectification-submit",
    ),
]
