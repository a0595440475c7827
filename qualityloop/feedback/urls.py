from django.urls import path

from . import views

urlpatterns = [
    path("complaints/<int:pk>/feedback/", views.panel, name="feedback-panel"),
    path(
        "complaints/<int:pk>/feedback/final-answer/",
        views.final_answer,
        name="feedback-final-answer",
    ),
    path(
        "complaints/<int:pk>/feedback/surveys/", views.create_survey, name="feedback-survey-create"
    ),
    path(
        "complaints/<int:pk>/feedback/surveys/send/",
        views.send_survey,
        name="feedback-survey-send",
    ),
    path("survey/<str:token>/", views.survey, name="survey"),
]
