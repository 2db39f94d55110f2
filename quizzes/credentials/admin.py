"""Admin for credentials: a read-only list of the signed credentials, one per certificate.

A credential is signed once, when its certificate is issued, and is never edited:
revoking the certificate (certification's admin or the revoke page) flips its bit in
the status list. So nobody adds, changes or deletes one here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from quizzes.certification.codes import code_normalise
from quizzes.models import Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["certificate_code", "holder_name", "kid", "status_index", "created_at"]
    list_select_related = ["certificate"]
    search_fields = ["certificate__code", "certificate__holder_name"]
    ordering = ["-created_at", "-id"]
    fields = ["certificate_link", "holder_name", "uuid", "kid", "status_index", "created_at", "jwt"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # signed with its certificate, by the issuing service only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke the certificate instead: the credential stays verifiable

    def get_search_results(self, request, queryset, search_term):
        # Codes are stored without dashes; people paste them as printed (XXXX-XXXX-...).
        results, duplicates = super().get_search_results(request, queryset, search_term)
        code = code_normalise(search_term)
        if code is not None:
            results |= queryset.filter(certificate__code=code)
        return results, duplicates

    @admin.display(description="code", ordering="certificate__code")
    def certificate_code(self, obj: Credential) -> str:
        return obj.certificate.display_code

    @admin.display(description="holder", ordering="certificate__holder_name")
    def holder_name(self, obj: Credential) -> str:
        return obj.certificate.holder_name

    @admin.display(description="certificate")
    def certificate_link(self, obj: Credential) -> str:
        url = reverse("admin:quizzes_certificate_change", args=[obj.certificate_id])
        return format_html('<a href="{}">{}</a>', url, obj.certificate.display_code)
