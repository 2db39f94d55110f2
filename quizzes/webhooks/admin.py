"""Admin for webhooks (superusers): endpoints, and deliveries with a "Replay" action.

Endpoints are registered on the site's pages (the address is checked there); here a
superuser looks, disables or deletes. Deliveries are records: looked at and replayed
(queued again with the same event id, audited), never edited.
"""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from quizzes.models import WebhookDelivery, WebhookEndpoint
from quizzes.webhooks.services import delivery_replay
from trainingsite.admin_records import ReadOnlyAdminMixin


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "owner__username"]
    list_select_related = ["owner"]
    fields = ["url", "owner", "events", "active", "created_at"]
    readonly_fields = ["url", "owner", "events", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["endpoint__url", "event_id"]
    list_select_related = ["endpoint"]
    actions = ["replay"]

    @admin.action(description="Replay the selected deliveries (same event id)")
    def replay(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "Only superusers replay deliveries.", messages.ERROR)
            return
        deliveries = list(queryset.select_related("endpoint"))
        for delivery in deliveries:
            delivery_replay(delivery=delivery, by=request.user)
        count = len(deliveries)
        self.message_user(
            request,
            ngettext("%d delivery queued again.", "%d deliveries queued again.", count) % count,
        )

    def get_actions(self, request):
        # Django offers an action only with change permission unless it says otherwise.
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("replay", None)
        return actions
