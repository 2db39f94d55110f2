"""A hand-computed retention world: cohort A (three trainees) and cohort B (one), with logs.

The recall of each card is one of tests/review/retention_cases.py's values (at NOW):

- Ann (A): tourniquet point (Bleeding, critical) S 3 reviewed 3 days ago: 0.9; pressure
  point (Bleeding) S 1, 10 days ago: 0.692827; airway point (Airway) S 100, 1 day ago:
  0.998497. Recall 0.863775, critical 0.9. Logs: due 30 days ago, done 25 days ago (in
  time); due 10 days ago, done 2 days ago (a day late); due 5 days ago (still in its
  grace, not counted); due 100 days ago (outside the window). Due 2, done 1.
- Ben (A): tourniquet S 0.5, 365 days ago: 0.362837 (critical, flagged at 80%); airway
  S 2, 1 day ago: 0.940344. Recall 0.6515905. Logs: due 50 days ago, never done; due 20
  days ago, done exactly at the end of its grace (in time). Due 2, done 1.
- Cat (A): no cards: no recall, not flagged.
- Out (B, another manager's): tourniquet S 0.5, 365 days ago: flagged, never in A's figures.

Cohort A: recall (0.863775 + 0.6515905) / 2 = 0.75768, critical (0.9 + 0.362837) / 2 =
0.6314185, reviews done 2 of 4, one flagged.
"""

from dataclasses import dataclass
from datetime import timedelta

from quizzes.models import ReviewCard, ReviewLog
from tests.builders import make_cohort, make_question, make_trainee
from tests.builders.lessons import make_topic
from tests.review.retention_cases import NOW

DAY = timedelta(days=1)


@dataclass
class RetentionWorld:
    cohort_a: object
    cohort_b: object
    ann: object
    ben: object
    cat: object
    out: object
    tourniquet: object
    pressure: object
    airway: object


def card(user, question, *, stability, days_ago, reps=3, lapses=0, now=NOW):
    last_review = None if days_ago is None else now - days_ago * DAY
    return ReviewCard.objects.create(
        user=user,
        point=f"question:{question.pk}",
        question=question,
        topic=question.topic,
        critical=question.critical,
        state=ReviewCard.State.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=now + DAY,
        last_review=last_review,
        reps=reps,
        lapses=lapses,
    )


def log(review_card, *, reviewed_days_ago, due_days_ago, now=NOW):
    """A rating of the card; its due_before is the card's previous log's due_after, as rated."""
    reviewed_at = now - reviewed_days_ago * DAY
    previous = (
        review_card.logs.filter(reviewed_at__lt=reviewed_at)
        .order_by("-reviewed_at", "-id")
        .values_list("due_after", flat=True)
        .first()
    )
    return ReviewLog.objects.create(
        card=review_card,
        rating=ReviewLog.Rating.GOOD,
        source=ReviewLog.Source.REVIEW,
        question=review_card.question,
        reviewed_at=reviewed_at,
        due_before=previous,
        due_after=now - due_days_ago * DAY,
    )


def build_retention_world(manager, other_manager, *, now=NOW) -> RetentionWorld:
    """The world above, its moments counted back from `now` (pages read the clock)."""
    bleeding = make_topic(title="Bleeding", slug="bleeding")
    airway_topic = make_topic(title="Airway", slug="airway")
    tourniquet = make_question("tourniquet", topic=bleeding, critical=True)
    pressure = make_question("pressure", topic=bleeding)
    airway = make_question("airway", topic=airway_topic)
    ann = make_trainee(username="ann", first_name="Ann", last_name="Able")
    ben = make_trainee(username="ben", first_name="Ben", last_name="Baker")
    cat = make_trainee(username="cat", first_name="Cat", last_name="Cole")
    out = make_trainee(username="out", first_name="Out", last_name="Sider")
    cohort_a = make_cohort(name="Alpha Clinic", managers=[manager], trainees=[ann, ben, cat])
    cohort_b = make_cohort(name="Beta Clinic", managers=[other_manager], trainees=[out])

    ann_tourniquet = card(ann, tourniquet, stability=3.0, days_ago=3, reps=4, lapses=1, now=now)
    ann_pressure = card(ann, pressure, stability=1.0, days_ago=10, now=now)
    ann_airway = card(ann, airway, stability=100.0, days_ago=1, now=now)
    log(ann_tourniquet, reviewed_days_ago=40, due_days_ago=30, now=now)
    log(ann_tourniquet, reviewed_days_ago=25, due_days_ago=10, now=now)
    log(ann_tourniquet, reviewed_days_ago=2, due_days_ago=-1, now=now)
    log(ann_pressure, reviewed_days_ago=200, due_days_ago=100, now=now)
    log(ann_airway, reviewed_days_ago=20, due_days_ago=5, now=now)

    ben_tourniquet = card(ben, tourniquet, stability=0.5, days_ago=365, reps=3, lapses=2, now=now)
    ben_airway = card(ben, airway, stability=2.0, days_ago=1, now=now)
    log(ben_tourniquet, reviewed_days_ago=60, due_days_ago=50, now=now)
    log(ben_airway, reviewed_days_ago=30, due_days_ago=20, now=now)
    log(ben_airway, reviewed_days_ago=13, due_days_ago=-5, now=now)

    card(out, tourniquet, stability=0.5, days_ago=365, reps=3, lapses=0, now=now)
    return RetentionWorld(
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        ann=ann,
        ben=ben,
        cat=cat,
        out=out,
        tourniquet=tourniquet,
        pressure=pressure,
        airway=airway,
    )
