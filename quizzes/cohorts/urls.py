"""Cohort pages, mounted under /reports/ beside the reports (the paths predate the namespace)."""

from django.urls import path

from quizzes.cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("cohorts/", views.cohort_list, name="list"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="detail"),
    path("cohorts/<slug:slug>/add/", views.cohort_add, name="add"),
    path("cohorts/<slug:slug>/import/", views.cohort_import, name="import"),
    path("cohorts/<slug:slug>/import/confirm/", views.cohort_import_confirm, name="import_confirm"),
    path("join/<str:code>/", views.join, name="join"),
]
