"""Admin for the quiz engine's own records: attempts (read-only review) and accommodations.

The question bank and quizzes are authoring's (quizzes/authoring/admin.py); programs and
certificates are certification's, cohorts are cohorts'. Django's autodiscovery imports
this module only, so it imports theirs, each of which registers its own models once.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from quizzes.cohorts.scope import manager_sees_trainee
from quizzes.models import (
    Accommodation,
    Attempt,
    AttemptAnswer,
)
from quizzes.services import accommodation_grant
from trainingsite.admin_records import ReadOnlyAdminMixin

# The permission behind the admin's user pages: without it, /admin/auth/user/N/ is 403.
VIEW_USER = "auth.view_user"


@admin.register(Accommodation)
class AccommodationAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "extra_minutes", "extra_attempts", "granted_by", "created_at"]
    list_filter = ["quiz"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["user", "quiz", "granted_by"]
    # Names, not links to the user admin, which educators may not open.
    readonly_fields = ["granted_by_name", "created_at"]
    AMOUNTS = ["extra_minutes", "extra_attempts", "note"]

    def get_fields(self, request, obj=None):
        # The trainee and quiz identify the grant; change the amounts, not whom it is for.
        if obj is not None and obj.pk:
            return ["trainee", "quiz", *self.AMOUNTS, *self.readonly_fields]
        return ["user", "quiz", *self.AMOUNTS, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return [*self.readonly_fields, "trainee", "quiz"]
        return self.readonly_fields

    @admin.display(description="trainee")
    def trainee(self, obj: Accommodation) -> str:
        return format_html("{} · {}", obj.user, _attempts_of_link(obj.user_id))

    @admin.display(description="granted by")
    def granted_by_name(self, obj: Accommodation) -> str:
        if obj.granted_by_id is None:
            return "–"
        return obj.granted_by.get_full_name() or obj.granted_by.get_username()

    def save_model(self, request, obj, form, change):
        saved = accommodation_grant(
            quiz=obj.quiz,
            trainee=obj.user,
            extra_minutes=obj.extra_minutes,
            extra_attempts=obj.extra_attempts,
            by=request.user,
            note=obj.note,
        )
        obj.pk = saved.pk
        obj.granted_by = saved.granted_by
        obj.created_at = saved.created_at


def _choice_line(choice: dict, selected: set[int]) -> tuple:
    marks = []
    if choice["id"] in selected:
        marks.append("chosen")
    if choice.get("is_correct"):
        marks.append("correct")
    text = choice["text"]
    shown = format_html("<strong>{}</strong>", text) if choice["id"] in selected else text
    return (shown, f" [{', '.join(marks)}]" if marks else "")


def _attempts_of_link(user_id: int) -> str:
    """The trainee's attempts in this admin: whoever reads one attempt may list them."""
    url = reverse("admin:quizzes_attempt_changelist")
    return format_html('<a href="{}?user__id__exact={}">all their attempts</a>', url, user_id)


def _may_open_progress_report(viewer, trainee_id: int) -> bool:
    """Whether the reports' drill-down of the trainee answers the viewer (managers in scope)."""
    return manager_sees_trainee(user=viewer, trainee_id=trainee_id)


def _verdict(row: AttemptAnswer | None) -> str:
    if row is None or row.is_correct is None:
        return "not scored yet"
    awarded = f"{row.awarded:g}" if row.awarded is not None else "–"
    return f"{awarded} awarded, {'correct' if row.is_correct else 'wrong'}"


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Attempts record what a trainee did: educators look, nobody edits them here."""

    list_display = [
        "started_at",
        "user",
        "quiz",
        "kind",
        "state",
        "score",
        "passed",
        "close_reason",
    ]
    list_filter = ["state", "kind", "passed", "close_reason", "quiz"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["user", "quiz"]
    date_hierarchy = "started_at"
    # The attempt's own URL is the trainee's page (404 for anyone else): staff get the trainee's
    # progress report instead, where they may open it (render_change_form).
    view_on_site = False
    fields = [
        "uuid",
        "trainee",
        "quiz",
        "kind",
        "source_attempt",
        "state",
        "close_reason",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "passed",
        "fail_reasons_text",
        "paper_review",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "quiz", "source_attempt")

    def get_fields(self, request, obj=None):
        # Link the trainee's account only for those who may open it (else it is a 403).
        trainee = "trainee_account" if request.user.has_perm(VIEW_USER) else "trainee"
        return [trainee if name == "trainee" else name for name in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if obj is not None and _may_open_progress_report(request.user, obj.user_id):
            response.context_data["has_absolute_url"] = True
            response.context_data["absolute_url"] = reverse(
                "reports:trainee", kwargs={"pk": obj.user_id}
            )
        return response

    @admin.display(description="trainee")
    def trainee(self, obj: Attempt) -> str:
        return format_html("{} · {}", obj.user, _attempts_of_link(obj.user_id))

    @admin.display(description="trainee")
    def trainee_account(self, obj: Attempt) -> str:
        account = reverse("admin:auth_user_change", args=[obj.user_id])
        return format_html(
            '<a href="{}">{}</a> · {}', account, obj.user, _attempts_of_link(obj.user_id)
        )

    @admin.display(description="score", ordering="percent")
    def score(self, obj: Attempt) -> str:
        if obj.percent is None:
            return "–"
        return f"{obj.points:g} / {obj.max_points:g} ({obj.percent:g}%)"

    @admin.display(description="why it failed")
    def fail_reasons_text(self, obj: Attempt) -> str:
        return "; ".join(r.get("message", "") for r in obj.fail_reasons) or "–"

    @admin.display(description="paper and answers")
    def paper_review(self, obj: Attempt):
        """The frozen paper with the trainee's choices as they were scored (one query)."""
        rows = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt=obj)}
        items = []
        for number, q in enumerate(obj.paper.get("questions", []), start=1):
            row = rows.get(q["id"])
            selected = set(row.selected) if row else set()
            choices = format_html_join(
                "", "<li>{}{}</li>", (_choice_line(c, selected) for c in q["choices"])
            )
            explanation = (
                format_html("<p>Explanation: {}</p>", q["explanation"])
                if q.get("explanation")
                else ""
            )
            items.append(
                (
                    number,
                    q["prompt"],
                    q.get("key", ""),
                    ngettext("{} point", "{} points", q["points"]).format(q["points"]),
                    " · critical" if q.get("critical") else "",
                    _verdict(row),
                    choices,
                    explanation,
                )
            )
        if not items:
            return "No questions on this paper."
        return format_html(
            '<ol class="attempt-review">{}</ol>',
            format_html_join(
                "",
                '<li data-question-number="{}"><p><strong>{}</strong></p>'
                "<p>{} · {}{} · {}</p><ul>{}</ul>{}</li>",
                items,
            ),
        )


# Each concern registers its own models (autodiscovery only imports quizzes.admin).
from quizzes.attestations import admin as attestations_admin  # noqa: E402,F401
from quizzes.authoring import admin as authoring_admin  # noqa: E402,F401
from quizzes.certification import admin as certification_admin  # noqa: E402,F401
from quizzes.cohorts import admin as cohorts_admin  # noqa: E402,F401
from quizzes.credentials import admin as credentials_admin  # noqa: E402,F401
from quizzes.observations import admin as observations_admin  # noqa: E402,F401
from quizzes.spaced_review import admin as spaced_review_admin  # noqa: E402,F401
from quizzes.updates import admin as updates_admin  # noqa: E402,F401
from quizzes.webhooks import admin as webhooks_admin  # noqa: E402,F401
