"""Scoring is pure: these tests carry no django_db mark, so any query fails them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.scoring import (
    MULTIPLE,
    REASON_CRITICAL,
    REASON_OVERALL,
    REASON_TOPIC,
    SINGLE,
    TRUE_FALSE,
    PaperChoice,
    PaperQuestion,
    Rules,
    paper_questions,
    paper_rules,
    score_attempt,
)


def question(qid, kind, correct, incorrect, points=1, critical=False, topic=1):
    choices = [PaperChoice(id=c, is_correct=True) for c in correct]
    choices += [PaperChoice(id=c, is_correct=False) for c in incorrect]
    return PaperQuestion(
        id=qid,
        kind=kind,
        points=points,
        choices=tuple(choices),
        critical=critical,
        topic_id=topic,
        topic_title=f"Topic {topic}",
    )


SINGLE_Q = question(1, SINGLE, [11], [12, 13])
TF_Q = question(2, TRUE_FALSE, [21], [22])
# Multiple response: 2 correct (31, 32), 2 incorrect (33, 34), worth 4 points.
MULTI_Q = question(3, MULTIPLE, [31, 32], [33, 34], points=4)


@pytest.mark.parametrize(
    ("q", "selected", "awarded", "is_correct"),
    [
        (SINGLE_Q, [11], 1, True),
        (SINGLE_Q, [12], 0, False),
        (SINGLE_Q, [], 0, False),
        (SINGLE_Q, [11, 12], 0, False),
        (TF_Q, [21], 1, True),
        (TF_Q, [22], 0, False),
        (TF_Q, [], 0, False),
        (MULTI_Q, [31, 32], 4, True),
        (MULTI_Q, [31], 2, False),
        (MULTI_Q, [31, 33], 0, False),
        (MULTI_Q, [31, 32, 33], 2, False),
        (MULTI_Q, [31, 32, 33, 34], 0, False),
        (MULTI_Q, [33], 0, False),
        (MULTI_Q, [], 0, False),
    ],
)
def test_question_scores(q, selected, awarded, is_correct):
    score = score_attempt([q], {q.id: selected}, Rules(pass_mark=80))
    result = score.result_for(q.id)
    assert result.awarded == awarded
    assert result.is_correct is is_correct
    assert result.answered is bool(selected)
    assert score.max_points == q.points


def test_multiple_with_three_correct_gives_thirds():
    q = question(1, MULTIPLE, [1, 2, 3], [4], points=1)
    score = score_attempt([q], {1: [1, 2]}, Rules(pass_mark=50))
    assert score.points == pytest.approx(2 / 3, abs=1e-4)
    assert score.percent == 66.67
    assert score.passed is True


def test_multiple_with_no_incorrect_choices_scores_by_correct_share():
    q = question(1, MULTIPLE, [1, 2], [], points=2)
    assert score_attempt([q], {1: [1]}, Rules(pass_mark=0)).points == 1


def test_pass_at_exactly_the_pass_mark():
    paper = [question(i, SINGLE, [i * 10], [i * 10 + 1]) for i in range(1, 6)]
    answers = {1: [10], 2: [20], 3: [30], 4: [40], 5: [51]}
    score = score_attempt(paper, answers, Rules(pass_mark=80))
    assert score.percent == 80.0
    assert score.passed is True
    assert score.reasons == ()


def test_below_pass_mark_fails_with_overall_reason():
    paper = [question(i, SINGLE, [i * 10], [i * 10 + 1]) for i in range(1, 6)]
    answers = {1: [10], 2: [20], 3: [30], 4: [41], 5: [51]}
    score = score_attempt(paper, answers, Rules(pass_mark=80))
    assert score.passed is False
    assert [r.code for r in score.reasons] == [REASON_OVERALL]
    assert score.reasons[0].message == "The overall score is below the pass mark of 80%."


def test_critical_wrong_fails_whatever_the_total():
    paper = [question(i, SINGLE, [i * 10], [i * 10 + 1]) for i in range(1, 11)]
    paper.append(question(99, TRUE_FALSE, [990], [991], critical=True))
    answers = {i: [i * 10] for i in range(1, 11)} | {99: [991]}
    score = score_attempt(paper, answers, Rules(pass_mark=80))
    assert score.percent == pytest.approx(90.91, abs=0.01)
    assert score.passed is False
    assert [r.code for r in score.reasons] == [REASON_CRITICAL]
    assert score.reasons[0].message == (
        "1 critical safety question answered wrongly; "
        "critical questions must be answered correctly to pass."
    )


def test_critical_unanswered_counts_as_wrong():
    q = question(1, SINGLE, [1], [2], critical=True)
    score = score_attempt([q], {}, Rules(pass_mark=0))
    assert [r.code for r in score.reasons] == [REASON_CRITICAL]


def test_critical_multiple_with_partial_credit_is_wrong():
    q = question(1, MULTIPLE, [1, 2], [3], critical=True)
    score = score_attempt([q], {1: [1]}, Rules(pass_mark=0))
    assert score.result_for(1).is_correct is False
    assert [r.code for r in score.reasons] == [REASON_CRITICAL]


def test_topic_minimum_fails_a_weak_topic_even_above_the_pass_mark():
    paper = [question(i, SINGLE, [i * 10], [i * 10 + 1], topic=1) for i in range(1, 9)]
    paper += [question(i, SINGLE, [i * 10], [i * 10 + 1], topic=2) for i in range(9, 11)]
    answers = {i: [i * 10] for i in range(1, 10)} | {10: [101]}
    score = score_attempt(paper, answers, Rules(pass_mark=80, topic_minimum_percent=60))
    assert score.percent == 90.0
    assert score.passed is False
    assert [r.code for r in score.reasons] == [REASON_TOPIC]
    assert score.reasons[0].message == (
        "The score in “Topic 2” is below the minimum of 60% required in every topic."
    )
    assert [(t.topic_id, t.points, t.max_points, t.percent) for t in score.topics] == [
        (1, 8, 8, 100.0),
        (2, 1, 2, 50.0),
    ]


def test_topic_minimum_met_passes():
    paper = [question(1, SINGLE, [1], [2], topic=1), question(2, SINGLE, [3], [4], topic=2)]
    score = score_attempt(paper, {1: [1], 2: [3]}, Rules(pass_mark=80, topic_minimum_percent=60))
    assert score.passed is True


def test_all_reasons_reported_together():
    paper = [
        question(1, SINGLE, [1], [2], topic=1, critical=True),
        question(2, SINGLE, [3], [4], topic=2),
    ]
    score = score_attempt(paper, {2: [3]}, Rules(pass_mark=80, topic_minimum_percent=50))
    assert [r.code for r in score.reasons] == [REASON_OVERALL, REASON_CRITICAL, REASON_TOPIC]


def test_points_weight_the_total():
    paper = [question(1, SINGLE, [1], [2], points=3), question(2, SINGLE, [3], [4], points=1)]
    score = score_attempt(paper, {1: [1]}, Rules(pass_mark=75))
    assert (score.points, score.max_points, score.percent, score.passed) == (3, 4, 75.0, True)


def test_empty_paper_scores_zero_and_fails():
    score = score_attempt([], {}, Rules(pass_mark=80))
    assert (score.points, score.max_points, score.percent, score.passed) == (0, 0, 0.0, False)


def test_paper_json_is_read_into_dataclasses():
    paper = {
        "rules": {"pass_mark": 70, "topic_minimum_percent": 40},
        "questions": [
            {
                "id": 5,
                "kind": "multiple",
                "points": 2,
                "critical": True,
                "topic_id": 9,
                "topic_title": "Managing",
                "prompt": "ignored",
                "choices": [{"id": 50, "is_correct": True, "text": "x", "feedback": ""}],
            }
        ],
    }
    assert paper_rules(paper) == Rules(pass_mark=70, topic_minimum_percent=40)
    assert paper_questions(paper) == (
        PaperQuestion(
            id=5,
            kind="multiple",
            points=2,
            critical=True,
            topic_id=9,
            topic_title="Managing",
            choices=(PaperChoice(id=50, is_correct=True),),
        ),
    )


# Property tests ---------------------------------------------------------------


@st.composite
def papers_and_answers(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    paper = []
    answers = {}
    next_id = 1
    for qid in range(1, n + 1):
        kind = draw(st.sampled_from([SINGLE, MULTIPLE, TRUE_FALSE]))
        if kind == TRUE_FALSE:
            flags = draw(st.sampled_from([[True, False], [False, True]]))
        elif kind == SINGLE:
            size = draw(st.integers(min_value=2, max_value=5))
            right = draw(st.integers(min_value=0, max_value=size - 1))
            flags = [i == right for i in range(size)]
        else:
            flags = draw(st.lists(st.booleans(), min_size=2, max_size=6))
            if not any(flags):
                flags[0] = True
        choices = []
        for flag in flags:
            choices.append(PaperChoice(id=next_id, is_correct=flag))
            next_id += 1
        paper.append(
            PaperQuestion(
                id=qid,
                kind=kind,
                points=draw(st.integers(min_value=1, max_value=5)),
                choices=tuple(choices),
                critical=draw(st.booleans()),
                topic_id=draw(st.integers(min_value=1, max_value=3)),
            )
        )
        ids = [c.id for c in choices]
        answers[qid] = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
    return paper, answers


@given(papers_and_answers(), st.integers(min_value=0, max_value=100))
def test_score_is_between_zero_and_maximum(data, pass_mark):
    paper, answers = data
    score = score_attempt(paper, answers, Rules(pass_mark=pass_mark))
    assert 0 <= score.points <= score.max_points
    assert 0 <= score.percent <= 100
    for result in score.questions:
        assert 0 <= result.awarded <= result.max_points


@given(papers_and_answers())
def test_all_correct_gives_one_hundred_percent_and_passes(data):
    paper, _ = data
    answers = {q.id: [c.id for c in q.choices if c.is_correct] for q in paper}
    score = score_attempt(paper, answers, Rules(pass_mark=100, topic_minimum_percent=100))
    assert score.percent == 100.0
    assert score.points == score.max_points
    assert score.passed is True
    assert all(t.percent == 100.0 for t in score.topics)


@given(papers_and_answers())
def test_selecting_every_option_never_beats_exactly_the_correct_ones(data):
    paper, _ = data
    for q in paper:
        if q.kind != MULTIPLE:
            continue
        everything = score_attempt([q], {q.id: [c.id for c in q.choices]}, Rules(pass_mark=0))
        exact = score_attempt(
            [q], {q.id: [c.id for c in q.choices if c.is_correct]}, Rules(pass_mark=0)
        )
        assert everything.points <= exact.points
        if any(not c.is_correct for c in q.choices):
            assert everything.points < exact.points
