"""Certification's receivers: a passed graded attempt or a completed lesson may issue a certificate.

Connected when the quizzes app is ready (QuizzesConfig.ready imports this
module). Both signals are sent inside the activity's transaction, so the
certificate is issued with the activity or not at all.
"""

from django.dispatch import receiver

from lessons.signals import lesson_completed
from quizzes.certification.services import certificates_check_after_activity
from quizzes.signals import attempt_graded


@receiver(attempt_graded, dispatch_uid="certification-after-attempt-graded")
def certificates_check_after_attempt(sender, *, attempt, **kwargs) -> None:
    """Issue what a passed graded attempt completed; a fail, practice or update quiz, nothing."""
    if attempt.is_practice or attempt.is_update or not attempt.passed:
        return
    certificates_check_after_activity(user=attempt.user, quiz=attempt.quiz)


@receiver(lesson_completed, dispatch_uid="certification-after-lesson-completed")
def certificates_check_after_lesson(sender, *, user, lesson, now, **kwargs) -> None:
    """Issue what a lesson completion (or a re-read of a changed lesson) completed."""
    certificates_check_after_activity(user=user, lesson=lesson, now=now)
