"""URLs of the quiz engine's pages (namespace `quizzes`)."""

from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("", views.index, name="index"),
    path("attempts/<uuid:uuid>/", views.attempt, name="attempt"),
    path("attempts/<uuid:uuid>/save/", views.save, name="save"),
    path("attempts/<uuid:uuid>/submit/", views.submit, name="submit"),
    path("attempts/<uuid:uuid>/result/", views.result, name="result"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/start/", views.start, name="start"),
    path("<slug:slug>/history/", views.history, name="history"),
    path("<slug:slug>/practice/", views.practice, name="practice"),
    path("<slug:slug>/accommodations/", views.accommodations, name="accommodations"),
]
