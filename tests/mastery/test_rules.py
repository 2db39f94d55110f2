"""Mastery rules: share, trend, weekly shares and review order from plain rows (no database)."""

from datetime import date, timedelta

from quizzes.mastery.rules import (
    BAND_DEVELOPING,
    BAND_NEEDS_WORK,
    BAND_SECURE,
    MIN_ANSWERS_FOR_TREND,
    RECENT_DAYS,
    REVIEW_LIMIT,
    TREND_DOWN,
    TREND_IDLE,
    TREND_LABELS,
    TREND_NEW,
    TREND_STEADY,
    TREND_UNCLEAR,
    TREND_UP,
    WEEKS,
    AnswerRow,
    TopicInfo,
    band_for,
    mastery_compute,
    week_start,
)

TODAY = date(2026, 12, 2)  # a Wednesday
RECENT = TODAY - timedelta(days=3)
EARLIER = TODAY - timedelta(days=RECENT_DAYS + 10)
A, B, C = TopicInfo(1, "Assessment"), TopicInfo(2, "Bleeding"), TopicInfo(3, "Consent")


def rows(topic, day, right, wrong, practice=0):
    return [
        AnswerRow(
            topic_id=topic.id,
            day=day,
            credit=right,
            answers=right + wrong,
            practice_answers=practice,
        )
    ]


def compute(answer_rows, topics=(A, B, C)):
    return mastery_compute(rows=answer_rows, topics=list(topics), today=TODAY)


def topic(mastery, info):
    return next(t for t in mastery.topics if t.topic_id == info.id)


def test_no_rows_is_empty_and_every_topic_untried():
    mastery = compute([])
    assert mastery.empty is True
    assert mastery.percent is None
    assert mastery.topics == ()
    assert mastery.untried == (A, B, C)
    assert len(mastery.weeks) == WEEKS
    assert all(w.percent is None and w.answers == 0 for w in mastery.weeks)


def test_share_is_credit_over_answers_per_topic_in_topic_order():
    mastery = compute(rows(B, RECENT, 1, 3) + rows(A, RECENT, 3, 1))
    assert [t.title for t in mastery.topics] == ["Assessment", "Bleeding"]
    assert topic(mastery, A).percent == 75.0
    assert topic(mastery, B).percent == 25.0
    assert mastery.percent == 50.0
    assert mastery.answers == 8
    assert mastery.untried == (C,)


def test_one_answer_per_row_by_default_and_partial_credit_counts_its_share():
    answer_rows = [
        AnswerRow(topic_id=1, day=RECENT, credit=1.0),
        AnswerRow(topic_id=1, day=RECENT, credit=0.5),  # a written answer marked half
        AnswerRow(topic_id=1, day=RECENT, credit=0.0),
    ]
    assert topic(compute(answer_rows), A).percent == 50.0


def test_rows_of_unknown_topics_and_empty_rows_are_ignored():
    mastery = compute(
        rows(A, RECENT, 1, 0)
        + [AnswerRow(topic_id=99, day=RECENT, credit=5, answers=5)]
        + [AnswerRow(topic_id=2, day=RECENT, credit=0, answers=0)]
    )
    assert [t.topic_id for t in mastery.topics] == [1]
    assert mastery.answers == 1


def test_credit_is_clamped_to_the_answers():
    assert (
        topic(compute([AnswerRow(topic_id=1, day=RECENT, credit=7, answers=2)]), A).percent == 100.0
    )


def test_practice_answers_are_counted_apart():
    t = topic(compute(rows(A, RECENT, 2, 2, practice=3)), A)
    assert (t.answers, t.practice_answers, t.graded_answers) == (4, 3, 1)


def test_trend_up_when_recent_share_beats_earlier_by_the_threshold():
    t = topic(compute(rows(A, EARLIER, 1, 3) + rows(A, RECENT, 3, 1)), A)
    assert (t.earlier_percent, t.recent_percent, t.trend) == (25.0, 75.0, TREND_UP)
    assert t.trend_label == TREND_LABELS[TREND_UP] == "Improving"


def test_trend_down_when_recent_share_falls():
    t = topic(compute(rows(A, EARLIER, 4, 0) + rows(A, RECENT, 2, 2)), A)
    assert t.trend == TREND_DOWN


def test_trend_steady_within_the_threshold():
    t = topic(compute(rows(A, EARLIER, 3, 1) + rows(A, RECENT, 3, 1)), A)
    assert t.trend == TREND_STEADY


def test_trend_new_without_earlier_answers_and_idle_without_recent_ones():
    assert topic(compute(rows(A, RECENT, 1, 0)), A).trend == TREND_NEW
    assert topic(compute(rows(A, EARLIER, 1, 0)), A).trend == TREND_IDLE


def test_trend_unclear_with_too_few_answers_on_one_side():
    few = MIN_ANSWERS_FOR_TREND - 1
    t = topic(compute(rows(A, EARLIER, 0, 5) + rows(A, RECENT, few, 0)), A)
    assert t.trend == TREND_UNCLEAR


def test_the_recent_window_is_the_last_thirty_days():
    edge = TODAY - timedelta(days=RECENT_DAYS)
    t = topic(compute(rows(A, edge, 1, 0) + rows(A, edge + timedelta(days=1), 0, 1)), A)
    assert (t.earlier_answers, t.recent_answers) == (1, 1)


def test_bands():
    assert band_for(80.0) == BAND_SECURE
    assert band_for(79.9) == BAND_DEVELOPING
    assert band_for(50.0) == BAND_DEVELOPING
    assert band_for(49.9) == BAND_NEEDS_WORK


def test_weeks_run_monday_to_sunday_for_the_last_eight_weeks_oldest_first():
    assert week_start(TODAY) == date(2026, 11, 30)
    mastery = compute(
        rows(A, date(2026, 11, 29), 1, 1)
        + rows(A, TODAY, 1, 0)
        + rows(B, TODAY, 0, 1)
        + rows(A, date(2026, 1, 5), 1, 0)
    )
    weeks = mastery.weeks
    assert [w.start for w in weeks] == [
        date(2026, 11, 30) - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)
    ]
    assert (weeks[-1].answers, weeks[-1].percent) == (2, 50.0)
    assert (weeks[-2].answers, weeks[-2].percent) == (2, 50.0)
    assert weeks[0].percent is None
    assert sum(w.answers for w in weeks) == 4  # the January answer is older than 8 weeks
    assert topic(mastery, A).weeks[-1].percent == 100.0


def test_review_lists_topics_below_target_weakest_first():
    mastery = compute(rows(A, RECENT, 3, 1) + rows(B, RECENT, 1, 3) + rows(C, RECENT, 9, 1))
    assert [t.title for t in mastery.review] == ["Bleeding", "Assessment"]


def test_review_puts_a_slipping_topic_first_among_equal_shares():
    mastery = compute(
        rows(A, EARLIER, 2, 2)
        + rows(A, RECENT, 2, 2)  # steady at 50
        + rows(B, EARLIER, 4, 0)
        + rows(B, RECENT, 0, 4)  # slipping to 50 overall
    )
    assert [t.title for t in mastery.review] == ["Bleeding", "Assessment"]


def test_review_is_limited():
    topics = [TopicInfo(i, f"Topic {i}") for i in range(1, REVIEW_LIMIT + 3)]
    answer_rows = [r for t in topics for r in rows(t, RECENT, 0, 1)]
    mastery = compute(answer_rows, topics)
    assert len(mastery.review) == REVIEW_LIMIT


def test_nothing_to_review_when_every_topic_reaches_the_target():
    assert compute(rows(A, RECENT, 4, 1)).review == ()
