"""Admin for attestations: statements authored by educators, attestations read-only.

A statement's version is raised by `statement_save` when its text changes; attestations
are records of what a trainee signed and are never added, changed or deleted here.
"""

from django.contrib import admin

from quizzes.attestations.services import statement_save
from quizzes.models import Attestation, AttestationStatement
from trainingsite.admin_records import ReadOnlyAdminMixin
from trainingsite.admin_relations import SafeRelationsAdminMixin


@admin.register(AttestationStatement)
class AttestationStatementAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "version", "updated_at"]
    list_filter = ["programs"]
    search_fields = ["title", "slug", "text"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["programs"]
    fields = ["title", "slug", "text", "version", "programs"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        statement_save(statement=obj, text=obj.text, title=obj.title, by=request.user)


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "version", "user", "typed_name", "attested_at", "ip_address"]
    list_filter = ["statement"]
    search_fields = ["user__username", "user__last_name", "typed_name", "statement__title"]
    list_select_related = ["statement", "user"]
    date_hierarchy = "attested_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Attestation._meta.fields]
