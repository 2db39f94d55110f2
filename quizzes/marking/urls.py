from django.urls import path

from quizzes.marking import views

app_name = "marking"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("answers/<int:answer_id>/", views.answer, name="answer"),
]
