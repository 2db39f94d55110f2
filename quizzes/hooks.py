"""Extension points called by the quiz services.

Certification hooks in here; keep these functions fast and side-effect free
unless they are meant to run inside the attempt's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quizzes.models import Attempt


def on_attempt_graded(attempt: Attempt) -> None:
    """Run after a graded attempt is scored, inside the same transaction.

    Called once per attempt (submitted by the trainee or closed at its time
    limit), never for practice rounds. A pass may complete a certification
    program, whose certificate is then issued in this same transaction.
    """
    if attempt.is_practice or not attempt.passed:
        return None
    from quizzes.certification.services import certificates_check_after_activity

    certificates_check_after_activity(user=attempt.user, quiz=attempt.quiz)
    return None
