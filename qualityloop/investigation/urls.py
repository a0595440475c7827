from django.urls import path

from . import views

P = "complaints/<int:pk>/investigation/"

urlpatterns = [
    path(P, views.panel, name="investigation-panel"),
    path(f"{P}fishbone.svg", views.fishbone, name="investigation-fishbone"),
    path(f"{P}inspections/", views.add_inspection, name="investigation-inspection-add"),
    path(f"{P}returns/", views.add_returned_product, name="investigation-rma-add"),
    path(
        f"{P}returns/<int:returned_id>/",
        views.update_returned_product,
        name="investigation-rma-update",
    ),
    path(f"{P}containments/", views.add_containment, name="investigation-containment-add"),
    path(
        f"{P}containments/<int:containment_id>/verify/",
        views.verify_containment,
        name="investigation-containment-verify",
    ),
    path(f"{P}whys/", views.add_why_chain, name="investigation-why-add"),
    path(f"{P}whys/<int:chain_id>/", views.update_why_chain, name="investigation-why-update"),
    path(f"{P}fishbone/", views.add_fishbone_cause, name="investigation-fishbone-add"),
    path(
        f"{P}fishbone/<int:cause_id>/remove/",
        views.remove_fishbone_cause,
        name="investigation-fishbone-remove",
    ),
    path(
        f"{P}fishbone/<int:cause_id>/root/",
        views.mark_fishbone_root,
        name="investigation-fishbone-root",
    ),
    path(f"{P}root-cause/", views.set_root_cause, name="investigation-root-cause"),
    path("investigation/evidence/<int:pk>/", views.evidence, name="investigation-evidence"),
]
