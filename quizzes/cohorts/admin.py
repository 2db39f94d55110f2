"""Admin for cohorts: who is in them, who manages them, which programs they must complete.

Adding trainees in bulk (with set-your-password e-mails) is done by managers on
the cohort page of the reports, which calls the same services.
"""

from django.contrib import admin

from quizzes.models import Cohort, CohortMembership, CohortProgram
from trainingsite.admin_relations import SafeRelationsAdminMixin


class CohortProgramInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = CohortProgram
    extra = 0
    autocomplete_fields = ["program"]


class CohortMembershipInline(admin.TabularInline):
    model = CohortMembership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Cohort)
class CohortAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "join_code", "created_at"]
    search_fields = ["name", "slug", "managers__username", "managers__email"]
    prepopulated_fields = {"slug": ["name"]}
    # Random, made by the cohort's managers on the cohort page (never typed: guessable).
    readonly_fields = ["join_code"]
    autocomplete_fields = ["managers", "assessors"]
    inlines = [CohortProgramInline, CohortMembershipInline]
