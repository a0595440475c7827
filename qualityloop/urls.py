from django.contrib import admin
from django.urls import include, path

from qualityloop.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("qualityloop.accounts.urls")),
    path("", include("qualityloop.complaints.urls")),
    path("notifications/", include("qualityloop.notifications.urls")),
    path("", include("qualityloop.correspondence.urls")),
    path("", include("qualityloop.sla.urls")),
    path("", include("qualityloop.investigation.urls")),
    path("", include("qualityloop.capa.urls")),
    path("", include("qualityloop.reports.urls")),
    path("", include("qualityloop.feedback.urls")),
    path("", include("qualityloop.knowledge.urls")),
]
