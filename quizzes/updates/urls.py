"""URLs of certificate updates after material changes (namespace `updates`, under /updates/)."""

from django.urls import path

from quizzes.updates import views

app_name = "updates"

urlpatterns = [
    path("<slug:slug>/", views.path, name="path"),
    path("<slug:slug>/quiz/", views.quiz_start, name="quiz_start"),
]
