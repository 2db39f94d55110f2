"""URLs of immediate-feedback practice (namespace `practice`, under /quizzes/attempts/)."""

from django.urls import path

from quizzes.practice import views

app_name = "practice"

urlpatterns = [
    path("<uuid:uuid>/practice/", views.round_page, name="round"),
    path("<uuid:uuid>/practice/check/", views.check, name="check"),
    path("<uuid:uuid>/practice/retry/", views.retry, name="retry"),
]
