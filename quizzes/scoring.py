"""Score an attempt: a pure function of its paper, the answers and the quiz's rules.

No database access here: plain data in, frozen dataclasses out.

The rules
---------
* **Single choice** and **true/false**: all or nothing. The question's points are
  awarded when exactly the correct choice is selected, otherwise 0.
* **Multiple response** ("select all that apply"): partial credit. With C correct
  and I incorrect choices on the question, each correct choice selected earns
  points / C and each incorrect choice selected takes away points / I. The
  result is never below 0. Selecting every choice therefore scores 0, and only
  exactly the correct choices score the full points.
* A question counts as **correct** only when it earns its full points.
* **Passing** needs all of:
  1. the overall percent at or above the quiz's pass mark;
  2. no **critical** question answered wrongly (less than full points);
  3. where the quiz sets a topic minimum, every topic on the paper at or above it.
  Each rule that is not met gives a reason, so the result page can say why.
* **Written answers** are marked by an assessor: the points are the latest mark
  (capped at the question's points). Until every written answer on the paper has a
  mark the score is *pending*: `AttemptScore.pending` names the unmarked questions,
  they count 0 meanwhile, and `passed` is False (the engine stores no pass/fail then).

Arithmetic is exact (fractions); floats appear only in the results, rounded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
WRITTEN = "written"

REASON_OVERALL = "overall"
REASON_CRITICAL = "critical"
REASON_TOPIC = "topic_minimum"

PARTIAL_CREDIT_RULE = (
    "Select all that apply questions earn partial credit: each correct option you select "
    "earns its share of the points, each incorrect option you select takes a share away, "
    "and a question never scores below zero."
)


@dataclass(frozen=True)
class PaperChoice:
    id: int
    is_correct: bool


@dataclass(frozen=True)
class PaperQuestion:
    id: int
    kind: str
    points: int
    choices: tuple[PaperChoice, ...]
    critical: bool = False
    topic_id: int | None = None
    topic_title: str = ""


@dataclass(frozen=True)
class Rules:
    pass_mark: int
    topic_minimum_percent: int | None = None


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    awarded: float
    max_points: int
    is_correct: bool
    answered: bool
    critical: bool


@dataclass(frozen=True)
class TopicScore:
    topic_id: int | None
    title: str
    points: float
    max_points: int
    percent: float


@dataclass(frozen=True)
class FailReason:
    code: str
    message: str


@dataclass(frozen=True)
class AttemptScore:
    points: float
    max_points: int
    percent: float
    passed: bool
    reasons: tuple[FailReason, ...]
    questions: tuple[QuestionResult, ...]
    topics: tuple[TopicScore, ...]
    pending: tuple[int, ...] = ()

    @property
    def complete(self) -> bool:
        """Every written answer has a mark: the score and pass/fail are final."""
        return not self.pending

    def result_for(self, question_id: int) -> QuestionResult:
        for result in self.questions:
            if result.question_id == question_id:
                return result
        raise KeyError(question_id)

    def fail_reasons_data(self) -> list[dict[str, str]]:
        """Return the reasons in the shape stored on Attempt.fail_reasons."""
        return [{"code": r.code, "message": r.message} for r in self.reasons]

    def topic_scores_data(self) -> list[dict[str, Any]]:
        """Return the topic scores in the shape stored on Attempt.topic_scores."""
        return [
            {
                "topic_id": t.topic_id,
                "title": t.title,
                "points": t.points,
                "max_points": t.max_points,
                "percent": t.percent,
            }
            for t in self.topics
        ]


def _mark_points(question: PaperQuestion, mark: float) -> Fraction:
    """A written answer's mark as exact points, within 0..the question's points."""
    earned = Fraction(str(mark)).limit_denominator(10_000)
    return min(max(earned, Fraction(0)), Fraction(question.points))


def _question_points(question: PaperQuestion, selected: frozenset[int]) -> Fraction:
    correct = {c.id for c in question.choices if c.is_correct}
    if question.kind in (SINGLE, TRUE_FALSE):
        return Fraction(question.points) if selected and selected == correct else Fraction(0)
    incorrect = {c.id for c in question.choices if not c.is_correct}
    earned = Fraction(0)
    if correct:
        earned += Fraction(question.points * len(selected & correct), len(correct))
    if incorrect:
        earned -= Fraction(question.points * len(selected & incorrect), len(incorrect))
    return max(earned, Fraction(0))


def _percent(points: Fraction, maximum: int) -> Fraction:
    return points * 100 / maximum if maximum else Fraction(0)


def score_attempt(
    paper: Sequence[PaperQuestion],
    answers: Mapping[int, Sequence[int]],
    rules: Rules,
    *,
    marks: Mapping[int, float] | None = None,
    written: Collection[int] = (),
) -> AttemptScore:
    """Score the answers (question id -> selected choice ids) against the paper.

    `marks` holds the latest mark of each marked written answer (question id ->
    points); `written` the written questions the trainee answered (non-blank text).
    """
    marks = marks or {}
    written = frozenset(written)
    pending: list[int] = []
    results: list[QuestionResult] = []
    total = Fraction(0)
    maximum = 0
    topic_points: dict[int | None, Fraction] = {}
    topic_max: dict[int | None, int] = {}
    topic_titles: dict[int | None, str] = {}
    critical_missed: list[PaperQuestion] = []
    for question in paper:
        selected = frozenset(answers.get(question.id, ()))
        if question.kind == WRITTEN:
            answered = question.id in written
            if question.id in marks:
                earned = _mark_points(question, marks[question.id])
            else:
                earned = Fraction(0)
                pending.append(question.id)
        else:
            answered = bool(selected)
            earned = _question_points(question, selected)
        is_correct = earned == question.points
        results.append(
            QuestionResult(
                question_id=question.id,
                awarded=round(float(earned), 4),
                max_points=question.points,
                is_correct=is_correct,
                answered=answered,
                critical=question.critical,
            )
        )
        total += earned
        maximum += question.points
        topic_points[question.topic_id] = topic_points.get(question.topic_id, 0) + earned
        topic_max[question.topic_id] = topic_max.get(question.topic_id, 0) + question.points
        topic_titles.setdefault(question.topic_id, question.topic_title)
        if question.critical and not is_correct:
            critical_missed.append(question)

    topics = tuple(
        TopicScore(
            topic_id=topic_id,
            title=topic_titles[topic_id],
            points=round(float(topic_points[topic_id]), 4),
            max_points=topic_max[topic_id],
            percent=round(float(_percent(topic_points[topic_id], topic_max[topic_id])), 2),
        )
        for topic_id in topic_max
    )

    reasons: list[FailReason] = []
    overall = _percent(total, maximum)
    if overall < rules.pass_mark:
        reasons.append(
            FailReason(
                REASON_OVERALL,
                f"The overall score is below the pass mark of {rules.pass_mark}%.",
            )
        )
    if critical_missed:
        count = len(critical_missed)
        noun = "question" if count == 1 else "questions"
        reasons.append(
            FailReason(
                REASON_CRITICAL,
                f"{count} critical safety {noun} answered wrongly; "
                "critical questions must be answered correctly to pass.",
            )
        )
    if rules.topic_minimum_percent is not None:
        for topic_id in topic_max:
            if _percent(topic_points[topic_id], topic_max[topic_id]) < rules.topic_minimum_percent:
                reasons.append(
                    FailReason(
                        REASON_TOPIC,
                        f"The score in “{topic_titles[topic_id]}” is below the minimum of "
                        f"{rules.topic_minimum_percent}% required in every topic.",
                    )
                )

    return AttemptScore(
        points=round(float(total), 4),
        max_points=maximum,
        percent=round(float(overall), 2),
        passed=not reasons and not pending,
        reasons=tuple(reasons),
        questions=tuple(results),
        topics=topics,
        pending=tuple(pending),
    )


def paper_questions(paper: Mapping[str, Any]) -> tuple[PaperQuestion, ...]:
    """Read the scoring view of a frozen paper (the JSON stored on an attempt)."""
    return tuple(
        PaperQuestion(
            id=q["id"],
            kind=q["kind"],
            points=q["points"],
            critical=q.get("critical", False),
            topic_id=q.get("topic_id"),
            topic_title=q.get("topic_title", ""),
            choices=tuple(
                PaperChoice(id=c["id"], is_correct=c["is_correct"]) for c in q.get("choices", ())
            ),
        )
        for q in paper.get("questions", ())
    )


def paper_has_written(paper: Mapping[str, Any]) -> bool:
    """Whether the frozen paper holds a written answer (the attempt then waits for marking)."""
    return any(q.get("kind") == WRITTEN for q in paper.get("questions", ()))


def paper_rules(paper: Mapping[str, Any]) -> Rules:
    """Read the rules frozen on a paper."""
    rules = paper.get("rules", {})
    return Rules(
        pass_mark=rules.get("pass_mark", 80),
        topic_minimum_percent=rules.get("topic_minimum_percent"),
    )
