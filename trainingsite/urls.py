from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from quizzes.authoring import views as views_authoring
from quizzes.certification import views as views_certification
from quizzes.reports import views as views_reports
from trainingsite import auth_views, views

admin.site.site_header = "Bleeding management training: authoring"
admin.site.site_title = "Training admin"
admin.site.index_title = "Content and people"
# The admin's log-in counts toward the same per-address failure limit as the site's
# (the admin builds its "login/" URL from this attribute).
admin.site.login = auth_views.login_address_limited(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says. Lazy: the
    # static file's (hashed, in production) name is looked up per request, not at import.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static_url, str)("favicon.ico")),
        name="favicon",
    ),
    path("me/", views_certification.dashboard, name="trainee_home"),
    path("me/progress/", include("quizzes.mastery.urls")),
    path("educator/", views_authoring.home, name="educator_home"),
    path("manager/", views_reports.overview, name="manager_home"),
    # Before Django's own: the log-in and reset pages with their limits (auth_views).
    path("accounts/login/", auth_views.login, name="login"),
    path("accounts/password_reset/", auth_views.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("lessons/", include("lessons.urls")),
    # Before quizzes/: immediate-feedback practice acts on an attempt's questions.
    path("quizzes/attempts/", include("quizzes.practice.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("", include("quizzes.authoring.urls")),
    # Before certificates/: the credential downloads live under certificates/<code>/.
    path("", include("quizzes.credentials.urls")),
    # Before certificates/: "cpd" would otherwise be read as a certificate code.
    path("certificates/cpd/", include("quizzes.cpd.urls")),
    path("certificates/", include("quizzes.certification.urls")),
    path("reports/", include("quizzes.reports.urls")),
    path("reports/", include("quizzes.cohorts.urls")),
    path("assessment/marking/", include("quizzes.marking.urls")),
    path("assessment/", include("quizzes.observations.urls")),
    path("attestations/", include("quizzes.attestations.urls")),
    path("review/", include("quizzes.spaced_review.urls")),
    path("updates/", include("quizzes.updates.urls")),
    path("api/v1/", include("quizzes.api.urls")),
    path("integrations/tokens/", include("quizzes.api.token_urls")),
    path("integrations/webhooks/", include("quizzes.webhooks.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded question images: served by Django in debug only; the web server serves them in
# production (README, "Deploying for real").
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "trainingsite.views.bad_request"
handler403 = "trainingsite.views.permission_denied"
handler404 = "trainingsite.views.page_not_found"
