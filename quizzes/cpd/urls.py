from django.urls import path

from quizzes.cpd import views

app_name = "cpd"

urlpatterns = [
    path("", views.record, name="record"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("record.pdf", views.export_pdf, name="export_pdf"),
    path("entries/add/", views.entry_add, name="add"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="delete"),
    path("entries/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("entries/<int:pk>/review/", views.entry_review, name="review"),
    path("trainees/<int:pk>/", views.trainee_record, name="trainee"),
    path("trainees/<int:pk>/export.csv", views.trainee_export_csv, name="trainee_export_csv"),
]
