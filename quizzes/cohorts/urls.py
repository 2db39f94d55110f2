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
    path("cohorts/<slug:slug>/join-code/new/", views.join_code_new, name="join_code_new"),
    path("cohorts/<slug:slug>/join-code/off/", views.join_code_off, name="join_code_off"),
    path(
        "cohorts/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.invitation_withdraw_view,
        name="invitation_withdraw",
    ),
    path("invitations/<int:pk>/accept/", views.invitation_accept_view, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline_view, name="invitation_decline"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("join/confirm/resend/", views.signup_confirm_resend, name="signup_confirm_resend"),
    path("join/confirm/<str:token>/", views.signup_confirm_view, name="signup_confirm"),
    path("join/<str:code>/", views.join, name="join"),
]
