"""Admin for certification: programs, assignments, certificates (read-only, revocable)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from quizzes.certification.renewal_rules import renewal_quiz_problem
from quizzes.certification.services import (
    PROGRAM_NOT_PUBLISHED,
    certificate_revoke,
    program_assign,
)
from quizzes.models import Bank, Quiz
from quizzes.models.certification import Certificate, Program, ProgramAssignment, ReminderSent
from trainingsite.admin_relations import SafeRelationsAdminMixin


class ProgramAdminForm(forms.ModelForm):
    """The program admin's form (ProgramAdmin builds it over the program's fields)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "renewal_quiz" in self.fields:  # never the review or update quizzes' holders
            self.fields["renewal_quiz"].queryset = Quiz.objects.authored().order_by("title")

    def clean(self):
        """Renewal by review needs a published exam-bank renewal quiz (renewal_rules.py)."""
        cleaned = super().clean()
        quiz = cleaned.get("renewal_quiz")
        problem = renewal_quiz_problem(
            enabled=bool(cleaned.get("renewal_by_review")),
            quiz_is_exam=None if quiz is None else quiz.bank == Bank.EXAM,
            quiz_published=quiz is not None and quiz.is_published,
        )
        if problem and "renewal_quiz" in self.fields:
            self.add_error("renewal_quiz", problem)
        return cleaned


@admin.register(Program)
class ProgramAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = [
        "name",
        "status",
        "validity_months",
        "cpd_hours",
        "lesson_count",
        "quiz_count",
    ]
    list_filter = ["status"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["required_lessons", "required_quizzes"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                lesson_total=Count("required_lessons", distinct=True),
                quiz_total=Count("required_quizzes", distinct=True),
            )
        )

    @admin.display(description="lessons", ordering="lesson_total")
    def lesson_count(self, obj) -> int:
        return obj.lesson_total

    @admin.display(description="quizzes", ordering="quiz_total")
    def quiz_count(self, obj) -> int:
        return obj.quiz_total


class ProgramAssignmentForm(forms.ModelForm):
    class Meta:
        model = ProgramAssignment
        fields = ["user", "program", "due_date"]

    def clean_program(self):
        program = self.cleaned_data["program"]
        if not program.is_published:
            raise ValidationError(PROGRAM_NOT_PUBLISHED)
        return program


@admin.register(ProgramAssignment)
class ProgramAssignmentAdmin(admin.ModelAdmin):
    form = ProgramAssignmentForm
    list_display = ["user", "program", "due_date", "assigned_by", "assigned_at"]
    list_filter = ["program", "due_date"]
    list_select_related = ["user", "program", "assigned_by"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["assigned_by", "assigned_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # change the due date; a different pair is a new assignment
            return ["user", "program", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        assignment, _ = program_assign(
            user=obj.user, program=obj.program, due_date=obj.due_date, by=request.user
        )
        obj.pk = assignment.pk


class RevokeReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=1000,
        help_text="Recorded with each revocation and in the audit trail.",
    )


class RevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("yes", "Revoked"), ("no", "Not revoked")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "holder_name",
        "program",
        "cycle",
        "issued_at",
        "expires_at",
        "verification_code",
        "is_revoked",
    ]
    list_filter = ["program", RevokedFilter, "issued_at"]
    list_select_related = ["program", "user"]
    search_fields = ["code", "holder_name", "user__username", "user__email"]
    date_hierarchy = "issued_at"
    actions = ["revoke_certificates"]
    fields = [
        "user",
        "holder_name",
        "program",
        "cycle",
        "issued_at",
        "expires_at",
        "verification_code",
        "cpd_hours",
        "cpd_awarding_body",
        "quiz_scores",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "superseded_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # certificates are issued only by completing a program

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the history stays

    def has_change_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("quizzes.revoke_certificate")

    @admin.display(description="code", ordering="code")
    def verification_code(self, obj) -> str:
        return obj.display_code

    @admin.display(description="revoked", boolean=True)
    def is_revoked(self, obj) -> bool:
        return obj.is_revoked

    @admin.action(description="Revoke selected certificates…", permissions=["revoke"])
    def revoke_certificates(self, request, queryset):
        form = RevokeReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            revoked = 0
            for certificate in queryset.filter(revoked_at__isnull=True):
                try:
                    certificate_revoke(
                        certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.WARNING)
                else:
                    revoked += 1
            noun = ngettext("certificate", "certificates", revoked)
            self.message_user(request, f"{revoked} {noun} revoked.", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "certificates/admin_revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": "Revoke certificates",
                "opts": self.model._meta,
                "certificates": queryset.select_related("program"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "event", "event_date", "sent_at"]
    list_filter = ["event", "program"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
