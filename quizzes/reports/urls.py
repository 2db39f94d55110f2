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
    path("quizzes/<int:pk>/questions.csv", views.question_analysis_export, name="questions_export"),
    path("cohorts/", views.cohort_list, name="cohorts"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="cohort"),
    path("cohorts/<slug:slug>/add/", views.cohort_add, name="cohort_add"),
    path("cohorts/<slug:slug>/import/", views.cohort_import, name="cohort_import"),
    path(
        "cohorts/<slug:slug>/import/confirm/",
        views.cohort_import_confirm,
        name="cohort_import_confirm",
    ),
    path("join/<str:code>/", views.join, name="join"),
]
