"""Admin for the audit trail (read-only, superusers only) and a user admin that is audited."""

import csv
import json
from collections.abc import Iterable, Iterator

# Imported first so that the stock User admin is registered before it is replaced.
import django.contrib.auth.admin  # noqa: F401
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from trainingsite.admin_relations import SafeRelationsAdminMixin
from trainingsite.audit import audit_actor, audit_record
from trainingsite.models import AuditEvent

EXPORT_HEADER = [
    "occurred_at",
    "action",
    "actor",
    "target_type",
    "target_id",
    "summary",
    "details",
]
# User flags that grant rights, recorded like role changes.
PRIVILEGE_FLAGS = ("is_staff", "is_superuser")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Keep spreadsheet programs from reading exported text as a formula."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    for event in events:
        yield writer.writerow(
            [
                event.occurred_at.isoformat(),
                event.action,
                csv_safe(event.actor_name),
                event.target_type,
                csv_safe(event.target_id),
                csv_safe(event.summary),
                csv_safe(json.dumps(event.details, sort_keys=True, ensure_ascii=False)),
            ]
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: superusers may read and export it; nobody may change it."""

    list_display = ["occurred_at", "action", "actor_name", "target", "summary"]
    list_filter = ["action", "occurred_at"]
    search_fields = ["actor_name", "summary", "target_type", "target_id"]
    date_hierarchy = "occurred_at"
    fields = [
        "occurred_at",
        "action",
        "actor",
        "actor_name",
        "target_type",
        "target_id",
        "summary",
        "details",
    ]
    readonly_fields = fields
    actions = None
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Target")
    def target(self, event: AuditEvent) -> str:
        return f"{event.target_type} #{event.target_id}" if event.target_type else ""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_csv),
            name="trainingsite_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_csv(self, request):
        """Stream the events that the changelist's current filters and search select."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        events = changelist.queryset.order_by("-occurred_at", "-id").iterator(chunk_size=2000)
        response = StreamingHttpResponse(audit_csv_rows(events), content_type="text/csv")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class SafeGroupAdmin(SafeRelationsAdminMixin, GroupAdmin):
    """The stock group admin, with the permission field that refuses malformed ids."""


@admin.register(User)
class AuditedUserAdmin(SafeRelationsAdminMixin, UserAdmin):
    """The stock user admin; role changes made here are recorded with who made them.

    Group changes are recorded by the receiver in trainingsite.audit; the staff
    and superuser flags grant admin rights too, so changes to them are recorded here.
    """

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        flags = [name for name in PRIVILEGE_FLAGS if change and name in form.changed_data]
        if flags:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.ROLE_CHANGED,
                target=obj,
                summary=f"{obj.get_username()}: "
                + "; ".join(f"{name} {'on' if getattr(obj, name) else 'off'}" for name in flags),
                details={
                    "user": obj.get_username(),
                    **{name: getattr(obj, name) for name in flags},
                },
            )

    def save_related(self, request, form, formsets, change) -> None:
        with audit_actor(request.user):
            super().save_related(request, form, formsets, change)
