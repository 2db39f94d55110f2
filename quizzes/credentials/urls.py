from django.urls import path

from quizzes.credentials import views

app_name = "credentials"

urlpatterns = [
    path("credentials/jwks.json", views.jwks_document, name="jwks"),
    path("credentials/issuer.json", views.issuer_profile, name="issuer"),
    path("credentials/status/1.json", views.status_list, name="status_list"),
    path("certificates/<str:code>/credential.jwt", views.credential_jwt, name="jwt"),
    path("certificates/<str:code>/credential.json", views.credential_json, name="json"),
]
