"""Admin for spaced review (superusers): review cards and their log, read-only.

Cards and logs are written by the scheduler only (quizzes/spaced_review/services.py):
the admin looks, never adds, edits or deletes, so a memory state is never hand-set. No
role is granted their view permission: they are trainees' own learning records.
"""

from django.contrib import admin

from quizzes.models import ReviewCard, ReviewLog
from trainingsite.admin_records import ReadOnlyAdminMixin


@admin.register(ReviewCard)
class ReviewCardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "point", "topic", "critical", "state", "due", "reps", "lapses"]
    list_filter = ["state", "critical", "topic"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "point"]
    list_select_related = ["user", "topic"]
    date_hierarchy = "due"
    raw_id_fields = ["user", "question"]


@admin.register(ReviewLog)
class ReviewLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["card", "trainee", "rating", "source", "reviewed_at", "due_before", "due_after"]
    list_filter = ["source", "rating"]
    search_fields = ["card__user__username", "card__point"]
    list_select_related = ["card__user"]
    date_hierarchy = "reviewed_at"
    raw_id_fields = ["card", "attempt", "question"]

    @admin.display(description="trainee", ordering="card__user__username")
    def trainee(self, obj) -> str:
        return obj.card.user.get_username()
