from django.urls import path

from . import views

urlpatterns = [
    path("complaints/<int:pk>/messages/", views.panel, name="correspondence-panel"),
    path("complaints/<int:pk>/messages/preview/", views.preview, name="correspondence-preview"),
    path("complaints/<int:pk>/messages/send/", views.send, name="correspondence-send"),
    path("complaints/<int:pk>/messages/received/", views.record, name="correspondence-record"),
    path(
        "complaints/<int:pk>/messages/<int:message_id>/resend/",
        views.resend,
        name="correspondence-resend",
    ),
]
