from django.urls import path

from . import views

urlpatterns = [
    path("complaints/<int:pk>/reports/<slug:kind>/", views.report_page, name="report-page"),
    path("complaints/<int:pk>/reports/<slug:kind>.pdf", views.report_pdf, name="report-pdf"),
]
