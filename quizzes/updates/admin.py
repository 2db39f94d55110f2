"""Admin for material changes: the program updates they made, read-only, with their progress,
and the mixin that gives the question and checklist admins their "Material change" box.

Updates are recorded by the lesson, question and checklist admins, never added or edited
here.
"""

from django.contrib import admin
from django.db.models import Count, Q

from quizzes.models import CertificateUpdate, ProgramUpdate
from quizzes.updates.forms import MATERIAL_FIELDSET
from quizzes.updates.services import program_updates_record
from trainingsite.admin_records import ReadOnlyAdminMixin


class MaterialChangeAdminMixin:
    """The "Material change" box on a change page (the form mixes in MaterialChangeFields).

    A ticked save records the change once the object and its inlines are saved.
    `material_change_field` names the service's argument (questions, checklists).
    """

    material_change_field = ""

    def material_change_summary(self, obj) -> str:
        return f"{obj} changed"

    def get_fieldsets(self, request, obj=None):
        # A new object has no certified trainees yet: the box is for changes only.
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is None else [*fieldsets, MATERIAL_FIELDSET]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and form.cleaned_data.get("material_change"):
            program_updates_record(
                summary=form.cleaned_data.get("change_summary")
                or self.material_change_summary(form.instance),
                by=request.user,
                **{self.material_change_field: [form.instance]},
            )


class CertificateUpdateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CertificateUpdate
    extra = 0
    can_delete = False
    fields = ["certificate", "due_at", "expires_at_before", "completed_at", "attempt"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("certificate__program", "attempt")


@admin.register(ProgramUpdate)
class ProgramUpdateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["program", "version", "summary", "changed_at", "due_at", "asked", "done"]
    list_filter = ["program"]
    list_select_related = ["program"]
    search_fields = ["summary", "program__name"]
    fields = [
        "program",
        "version",
        "summary",
        "changed_at",
        "due_at",
        "lessons",
        "questions",
        "checklists",
        "created_by",
    ]
    readonly_fields = fields
    inlines = [CertificateUpdateInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                asked_count=Count("certificate_updates"),
                done_count=Count(
                    "certificate_updates",
                    filter=Q(certificate_updates__completed_at__isnull=False),
                ),
            )
        )

    @admin.display(description="certificates asked", ordering="asked_count")
    def asked(self, obj: ProgramUpdate) -> int:
        return obj.asked_count

    @admin.display(description="updated", ordering="done_count")
    def done(self, obj: ProgramUpdate) -> int:
        return obj.done_count
