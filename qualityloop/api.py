"""The REST API under /api/v1/ (django-ninja); routers live in each app's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="QualityLoop API", version="1.0.0", urls_namespace="api")
