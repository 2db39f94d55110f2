"""URLs of spaced review (namespace `review`, under /review/)."""

from django.urls import path

from quizzes.spaced_review import views

app_name = "review"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("settings/", views.preference, name="preference"),
    path("<uuid:uuid>/", views.session, name="session"),
    path("<uuid:uuid>/finish/", views.finish, name="finish"),
    path("<uuid:uuid>/summary/", views.summary, name="summary"),
]
