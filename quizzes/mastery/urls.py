"""URLs of the trainee's progress by topic (namespace `mastery`, under /me/progress/)."""

from django.urls import path

from quizzes.mastery import views

app_name = "mastery"

urlpatterns = [
    path("", views.topics, name="topics"),
]
