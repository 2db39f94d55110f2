"""Admin for observed practice: checklists authored by educators, observations read-only.

Observations are append-only records made by assessors on the site: the admin shows them
to superusers and never adds, changes or deletes one.
"""

from django import forms
from django.contrib import admin

from quizzes.models import (
    ChecklistCriterion,
    Observation,
    ObservationEvidence,
    ObservationResult,
    PracticalChecklist,
)
from quizzes.updates.admin import MaterialChangeAdminMixin
from quizzes.updates.forms import MaterialChangeFields
from trainingsite.admin_records import ReadOnlyAdminMixin
from trainingsite.admin_relations import SafeRelationsAdminMixin


class ChecklistCriterionInline(admin.TabularInline):
    model = ChecklistCriterion
    extra = 1
    fields = ["order", "text", "guidance", "critical"]
    ordering = ["order", "id"]


class PracticalChecklistAdminForm(MaterialChangeFields, forms.ModelForm):
    class Meta:
        model = PracticalChecklist
        fields = ["title", "slug", "description", "programs", "observations_required", "status"]


@admin.register(PracticalChecklist)
class PracticalChecklistAdmin(MaterialChangeAdminMixin, SafeRelationsAdminMixin, admin.ModelAdmin):
    form = PracticalChecklistAdminForm
    list_display = ["title", "slug", "status", "observations_required", "updated_at"]
    list_filter = ["status", "programs"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["programs"]
    fields = ["title", "slug", "description", "programs", "observations_required", "status"]
    inlines = [ChecklistCriterionInline]
    material_change_field = "checklists"

    def material_change_summary(self, obj) -> str:
        return f"Checklist “{obj.title}” changed"


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class ObservationResultInline(_ReadOnlyInline):
    model = ObservationResult
    fields = ["order", "criterion_text", "critical", "met", "note"]
    readonly_fields = fields


class ObservationEvidenceInline(_ReadOnlyInline):
    model = ObservationEvidence
    fields = ["original_name", "kind", "uploaded_at"]
    readonly_fields = fields


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "checklist",
        "trainee",
        "assessor_name",
        "observed_on",
        "outcome",
        "acknowledged_at",
    ]
    list_filter = ["outcome", "setting", "checklist"]
    search_fields = ["trainee__username", "trainee__last_name", "assessor_name", "checklist__title"]
    list_select_related = ["checklist", "trainee"]
    date_hierarchy = "observed_on"
    inlines = [ObservationResultInline, ObservationEvidenceInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Observation._meta.fields]
