from django.urls import path

from . import views

urlpatterns = [
    path("knowledge/", views.entry_list, name="knowledge-list"),
    path("knowledge/new/", views.new, name="knowledge-new"),
    path("knowledge/suggest/", views.suggest, name="knowledge-suggest"),
    path("knowledge/<int:pk>/", views.detail, name="knowledge-detail"),
    path("knowledge/<int:pk>/edit/", views.edit, name="knowledge-edit"),
    path("knowledge/<int:pk>/publish/", views.publish, name="knowledge-publish"),
    path("knowledge/<int:pk>/archive/", views.archive, name="knowledge-archive"),
    path("complaints/<int:pk>/knowledge/", views.panel, name="knowledge-panel"),
    path(
        "complaints/<int:pk>/knowledge/create/",
        views.create_from_complaint,
        name="knowledge-create-from",
    ),
]
