"""The stored retention days that renewal by review reads (quizzes/certification/renewal_rules.py).

`TraineeRetention` holds one row per trainee and day, written by the daily retention job
(quizzes/spaced_review/); this module aggregates a window of them per trainee in SQL, so
that the bulk progress selector reads thousands of trainees' six months in one query.
"""

from datetime import date

from django.db.models import Count, Max, Min

from quizzes.certification.renewal_rules import RetentionSpan, window_first_day
from quizzes.models import TraineeRetention


def retention_spans(*, user_filter, today: date) -> dict[int, RetentionSpan]:
    """Each trainee's stored days in the window ending today, by user id: one query.

    `user_filter` is what `user_id__in` takes (ids or a subquery). Trainees without a
    row in the window are absent.
    """
    rows = (
        TraineeRetention.objects.filter(
            user_id__in=user_filter, taken_on__gte=window_first_day(today), taken_on__lte=today
        )
        .values("user_id")
        .annotate(
            first=Min("taken_on"),
            last=Max("taken_on"),
            days=Count("pk"),
            critical=Count("critical_recall"),
            lowest=Min("critical_recall"),
        )
        .order_by()
        .values_list("user_id", "first", "last", "days", "critical", "lowest")
    )
    return {row[0]: RetentionSpan(*row[1:]) for row in rows}
