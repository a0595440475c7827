from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my-work"),
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.register, name="complaint-register"),
    path("complaints/new/related/", views.register_related, name="complaint-related"),
    path("complaints/<int:pk>/", views.detail, name="complaint-detail"),
    path(
        "complaints/<int:pk>/transitions/<slug:name>/",
        views.transition,
        name="complaint-transition",
    ),
    path("complaints/<int:pk>/edit/", views.edit, name="complaint-edit"),
    path("complaints/<int:pk>/grade/", views.grade, name="complaint-grade"),
    path("complaints/<int:pk>/answer/", views.answer, name="complaint-answer"),
    path("complaints/<int:pk>/comments/", views.comment, name="complaint-comment"),
    path("complaints/<int:pk>/attachments/", views.attach, name="complaint-attach"),
    path("complaints/<int:pk>/tasks/", views.add_task, name="task-add"),
    path("complaints/<int:pk>/tasks/<int:task_id>/assign/", views.assign, name="task-assign"),
    path(
        "complaints/<int:pk>/tasks/<int:task_id>/complete/",
        views.complete_task,
        name="task-complete",
    ),
    path("attachments/<int:pk>/", views.download, name="attachment-download"),
]
