"""Spaced review in the hardening world (issue 19).

`review_done`: the trainee's finished review session (nothing checked, so its cards stay
due); `review_session`: the trainee's open one, of the same cards. The cards are two
practice questions practised a week ago.
"""

from datetime import timedelta

from django.utils import timezone

from quizzes.models import Bank, Choice, Question
from quizzes.spaced_review import services


def _question(*, key: str, topic) -> Question:
    question = Question.objects.create(
        key=key, prompt=f"Review {key}?", explanation=f"Why {key}", topic=topic, bank=Bank.PRACTICE
    )
    for order, correct in enumerate([True, False, False]):
        Choice.objects.create(
            question=question, text=f"{key} {order}", is_correct=correct, order=order
        )
    return question


def build_review_world(*, trainee, topic) -> dict:
    questions = [_question(key=f"review-{i}", topic=topic) for i in range(2)]
    services.review_cards_record(
        user_id=trainee.pk,
        met=[
            services.PointMet(
                point=f"question:{q.pk}",
                question_id=q.pk,
                topic_id=topic.pk,
                critical=False,
                correct=True,
            )
            for q in questions
        ],
        source="practice",
        at=timezone.now() - timedelta(days=7),
    )
    review_done = services.review_session_finish(
        attempt=services.review_session_start(user=trainee)
    )
    review_session = services.review_session_start(user=trainee)
    return {"review_done": review_done, "review_session": review_session}
