"""The review nudge: "N questions due for review", at most once a week, unless switched off.

The daily reminders command (send_certification_reminders) enqueues one job per trainee
(`review_nudge_enqueue`); the job claims the week with a conditional update of the
trainee's `ReviewPreference.nudged_at` and sends in the same transaction, so a job run
twice mails once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from quizzes.models import ReviewCard, ReviewPreference
from trainingsite.plurals import Plural

NUDGE_SUBJECT = Plural(
    "{count} question due for review", "{count} questions due for review", count="count"
)


@dataclass(frozen=True)
class Nudge:
    user_id: int
    email: str
    due_count: int


def _week_start(now: datetime) -> datetime:
    return now - timedelta(days=settings.REVIEW_NUDGE_DAYS)


def _may_nudge(prefix: str, now: datetime) -> Q:
    """No preference yet, or nudges on and none sent within REVIEW_NUDGE_DAYS."""
    return Q(**{f"{prefix}review_preference__isnull": True}) | Q(
        Q(**{f"{prefix}review_preference__nudged_at__isnull": True})
        | Q(**{f"{prefix}review_preference__nudged_at__lte": _week_start(now)}),
        **{f"{prefix}review_preference__nudges": True},
    )


def review_nudges_due(*, now: datetime | None = None) -> list[Nudge]:
    """The trainees to nudge now, with how many questions each has due (one query)."""
    now = now or timezone.now()
    rows = (
        ReviewCard.objects.filter(due__lte=now, user__is_active=True)
        .exclude(user__email="")
        .filter(_may_nudge("user__", now))
        .values("user_id", "user__email")
        .annotate(due_count=Count("id"))
        .order_by("user_id")
    )
    return [
        Nudge(user_id=row["user_id"], email=row["user__email"], due_count=row["due_count"])
        for row in rows
    ]


def review_nudge_send(*, user_id: int, site_url: str = "", now: datetime | None = None) -> bool:
    """Claim this week's nudge and send it; False if sent already, switched off or none due."""
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    with transaction.atomic():
        preference, _created = ReviewPreference.objects.get_or_create(user=user)
        due_count = ReviewCard.objects.filter(user=user, due__lte=now).count()
        if not due_count:
            return False
        claimed = (
            ReviewPreference.objects.filter(pk=preference.pk, nudges=True)
            .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lte=_week_start(now)))
            .update(nudged_at=now)
        )
        if not claimed:
            return False
        context = {
            "due_count": due_count,
            "review_url": f"{site_url}{reverse('review:home')}",
            "settings_url": f"{site_url}{reverse('review:home')}#review-emails",
        }
        send_mail(
            subject=NUDGE_SUBJECT.format(count=due_count),
            message=render_to_string("review/nudge_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    return True


@task()
def review_nudge_email(*, user_id: int, site_url: str) -> bool:
    """The job: send one trainee's review nudge unless this week's went already."""
    return review_nudge_send(user_id=user_id, site_url=site_url)


def review_nudge_enqueue(*, nudge: Nudge, site_url: str = "") -> None:
    """Queue one trainee's nudge (at once: the job depends on no uncommitted row)."""
    review_nudge_email.enqueue(user_id=nudge.user_id, site_url=site_url)
