from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from quizzes.certification import views as views_certification
from quizzes.reports import views as views_reports
from trainingsite import views

admin.site.site_header = "Bleeding management training: authoring"
admin.site.site_title = "Training admin"
admin.site.index_title = "Content and people"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("me/", views_certification.dashboard, name="trainee_home"),
    path("educator/", views.educator_home, name="educator_home"),
    path("manager/", views_reports.overview, name="manager_home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("lessons/", include("lessons.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("", include("quizzes.authoring.urls")),
    path("certificates/", include("quizzes.certification.urls")),
    path("reports/", include("quizzes.reports.urls")),
    path("reports/", include("quizzes.cohorts.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded question images: served by Django in debug only; the web server serves them in
# production (README, "Deploying for real").
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "trainingsite.views.permission_denied"
