from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lessons.models import Lesson
from lessons.progress import completion_needs_reread
from lessons.selectors import (
    lesson_completed_at,
    lesson_get_for_user,
    lesson_neighbours,
    lessons_overview,
)
from lessons.services import CompletionOutcome, lesson_complete
from quizzes.selectors import quizzes_assessing_lesson

LESSON_MARKED_COMPLETE = "Lesson marked as complete."
LESSON_ALREADY_COMPLETE = "You had already completed this lesson."
LESSON_MARKED_READ_AGAIN = "Marked as read again."


@login_required
def index(request):
    overview = lessons_overview(user=request.user)
    return render(request, "lessons/index.html", {"overview": overview})


def lesson_page_context(*, user, lesson: Lesson, preview: bool = False) -> dict:
    """Build what the lesson template shows; the admin preview uses the same context."""
    previous, following = lesson_neighbours(user=user, lesson=lesson)
    completed_at = None if preview else lesson_completed_at(user=user, lesson=lesson)
    return {
        "lesson": lesson,
        "completed_at": completed_at,
        "needs_reread": completed_at is not None
        and completion_needs_reread(
            completed_at=completed_at, content_changed_at=lesson.content_changed_at
        ),
        "previous_lesson": previous,
        "next_lesson": following,
        "preview": preview,
    }


@login_required
def detail(request, slug):
    lesson = lesson_get_for_user(user=request.user, slug=slug)
    context = lesson_page_context(user=request.user, lesson=lesson)
    context["assessing_quizzes"] = quizzes_assessing_lesson(lesson=lesson, user=request.user)
    return render(request, "lessons/detail.html", context)


@login_required
@require_POST
def complete(request, slug):
    lesson = lesson_get_for_user(user=request.user, slug=slug)
    try:
        result = lesson_complete(user=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if result.outcome is CompletionOutcome.COMPLETED:
            messages.success(request, LESSON_MARKED_COMPLETE)
        elif result.outcome is CompletionOutcome.READ_AGAIN:
            messages.success(request, LESSON_MARKED_READ_AGAIN)
        else:
            messages.info(request, LESSON_ALREADY_COMPLETE)
    return redirect(lesson)
