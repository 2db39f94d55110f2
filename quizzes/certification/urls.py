from django.urls import path

from quizzes.certification import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("programs/<slug:slug>/claim/", views.program_claim, name="claim"),
    path("<str:code>/", views.certificate_detail, name="detail"),
    path("<str:code>/pdf/", views.certificate_download, name="download"),
    path("<str:code>/revoke/", views.revoke, name="revoke"),
]
