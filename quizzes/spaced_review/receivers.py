"""Spaced review's receivers: practice checks and scored graded attempts rate the trainee's cards.

Connected when the quizzes app is ready (QuizzesConfig.ready imports this module).
Both signals are sent inside the activity's transaction, so a card changes with the
activity or not at all.
"""

from django.dispatch import receiver

from quizzes.signals import answer_checked, attempt_graded
from quizzes.spaced_review.services import review_card_from_check, review_cards_from_attempt


@receiver(answer_checked, dispatch_uid="spaced-review-after-answer-checked")
def review_after_check(sender, *, attempt, question, is_correct, checked_at, **kwargs) -> None:
    """A first check of a practice question rates its point: right Good, wrong Again."""
    review_card_from_check(
        attempt=attempt, question=question, is_correct=is_correct, checked_at=checked_at
    )


@receiver(attempt_graded, dispatch_uid="spaced-review-after-attempt-graded")
def review_after_attempt(sender, *, attempt, **kwargs) -> None:
    """A scored graded attempt rates its unchecked practice answers, or an exam's misses."""
    review_cards_from_attempt(attempt=attempt)
