from django.urls import path

from quizzes.attestations import views

app_name = "attestations"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<slug:slug>/", views.detail, name="detail"),
]
