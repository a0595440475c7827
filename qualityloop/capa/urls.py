from django.urls import path

from . import views

urlpatterns = [
    path("complaints/<int:pk>/capa/", views.panel, name="capa-panel"),
    path("complaints/<int:pk>/capa/actions/", views.plan, name="capa-plan"),
    path("complaints/<int:pk>/capa/remedies/", views.propose_remedy, name="capa-remedy-propose"),
    path(
        "complaints/<int:pk>/capa/remedies/<int:remedy_id>/approve/",
        views.approve_remedy,
        name="capa-remedy-approve",
    ),
    path(
        "complaints/<int:pk>/capa/remedies/<int:remedy_id>/reject/",
        views.reject_remedy,
        name="capa-remedy-reject",
    ),
    path(
        "complaints/<int:pk>/capa/remedies/<int:remedy_id>/give/",
        views.give_remedy,
        name="capa-remedy-give",
    ),
    path("complaints/<int:pk>/capa/costs/", views.add_cost, name="capa-cost-add"),
    path("capa/actions/", views.action_list, name="capa-action-list"),
    path("capa/actions/<int:pk>/", views.action_detail, name="capa-action-detail"),
    path("capa/actions/<int:pk>/start/", views.start, name="capa-action-start"),
    path("capa/actions/<int:pk>/notes/", views.add_note, name="capa-action-note"),
    path("capa/actions/<int:pk>/evidence/", views.add_evidence, name="capa-action-evidence"),
    path(
        "capa/actions/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="capa-evidence-download",
    ),
    path("capa/actions/<int:pk>/complete/", views.complete, name="capa-action-complete"),
    path("capa/actions/<int:pk>/checks/", views.check, name="capa-action-check"),
    path("capa/actions/<int:pk>/link/", views.link, name="capa-action-link"),
]
