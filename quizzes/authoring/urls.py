"""Authoring pages outside the admin (the import and export pages live in the admin's URLs)."""

from django.urls import path

from quizzes.authoring import views

app_name = "authoring"

urlpatterns = [
    # The path it had before authoring had a namespace of its own: bookmarks keep working.
    path("quizzes/<slug:slug>/preview/", views.quiz_preview, name="quiz_preview"),
]
