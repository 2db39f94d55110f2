from django.urls import path

from quizzes.observations import views

app_name = "observations"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("trainees/<int:trainee_id>/", views.trainee, name="trainee"),
    path(
        "trainees/<int:trainee_id>/checklists/<slug:slug>/observe/",
        views.observe,
        name="observe",
    ),
    path("observations/<int:pk>/", views.detail, name="detail"),
    path("observations/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path(
        "observations/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence,
        name="evidence",
    ),
]
