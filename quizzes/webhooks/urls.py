from django.urls import path

from quizzes.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_new, name="create"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/test/", views.endpoint_test, name="test"),
    path("<int:pk>/disable/", views.endpoint_off, name="disable"),
    path("<int:pk>/delete/", views.endpoint_remove, name="delete"),
]
