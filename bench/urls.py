"""The site's URLs plus the benchmark's bare view and floor page."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare", views.bare, name="bench_bare"),
    path("bench/floor", views.floor, name="bench_floor"),
    path("", include("trainingsite.urls")),
]

handler403 = "trainingsite.views.permission_denied"
