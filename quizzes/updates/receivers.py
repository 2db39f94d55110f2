"""Updates' receivers: a material change to a lesson asks for updates, a passed update quiz
may complete them.

Connected when the quizzes app is ready (QuizzesConfig.ready imports this module). Both
signals are sent inside their transaction, so the updates are recorded with the change
or the attempt, or not at all.
"""

from django.dispatch import receiver

from lessons.signals import lesson_materially_changed
from quizzes.signals import attempt_graded
from quizzes.updates.services import certificate_updates_settle, program_updates_record


@receiver(lesson_materially_changed, dispatch_uid="updates-after-lesson-changed")
def updates_after_lesson_changed(sender, *, lesson, by, summary, now, **kwargs) -> None:
    """Ask the certified trainees of every program requiring the lesson for an update."""
    program_updates_record(summary=summary, by=by, lessons=[lesson], now=now)


@receiver(attempt_graded, dispatch_uid="updates-after-update-quiz")
def updates_after_update_quiz(sender, *, attempt, **kwargs) -> None:
    """A passed update quiz may complete the trainee's updates; any other attempt, nothing."""
    if not attempt.is_update or not attempt.passed:
        return
    certificate_updates_settle(user=attempt.user, now=attempt.submitted_at)
