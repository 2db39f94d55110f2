"""Report pages and their CSV downloads (the cohort pages beside them: quizzes.cohorts.urls)."""

from django.urls import path

from quizzes.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("overview.csv", views.overview_export, name="overview_export"),
    path("trainees/", views.trainees, name="trainees"),
    path("trainees.csv", views.trainees_export, name="trainees_export"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee"),
    path(
        "trainees/<int:pk>/attempts.csv",
        views.trainee_attempts_export,
        name="trainee_attempts_export",
    ),
    path("quizzes/", views.quiz_list, name="quizzes"),
    path("quizzes/<int:pk>/", views.quiz_report, name="quiz"),
    path("quizzes/<int:pk>/scores.csv", views.quiz_report_export, name="quiz_export"),
    path("quizzes/<int:pk>/questions/", views.question_analysis, name="questions"),
    path(
        "quizzes/<int:pk>/questions/<int:question_pk>/review/",
        views.question_review,
        name="question_review",
    ),
    path("quizzes/<int:pk>/questions.csv", views.question_analysis_export, name="questions_export"),
]
