"""Authoring pages: a quiz previewed as a trainee sees it; import (preview, then confirm),
export and the CSV template, which the admin routes here.

The admin (quizzes.authoring.admin) routes here after its own permission
checks and hands over the quiz; these views parse a form, call one service or
selector and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from lessons.models import Topic
from quizzes.authoring import formats
from quizzes.authoring.formats import csv_template
from quizzes.authoring.forms import ImportUploadForm
from quizzes.authoring.home import educator_home
from quizzes.authoring.imports import (
    ImportRefused,
    question_import_confirm,
    question_import_preview,
    quiz_questions_export,
)
from quizzes.models import Attempt, Quiz
from quizzes.selectors import attempt_page_from_paper
from quizzes.services import AttemptRefused, quiz_paper_build
from quizzes.written import WRITTEN_ANSWER_MAX_CHARS
from trainingsite.access import educator_required

TOKEN_SALT = "quizzes.question_import"  # unchanged by the move: signed previews stay valid
TOKEN_MAX_AGE = 60 * 60
IMPORT_EXPIRED = "This preview has expired or belongs to another import. Upload the file again."
IMPORT_DONE = (
    "{created} question imported into “{quiz}”; ",
    "{created} questions imported into “{quiz}”; ",
)
IMPORT_DONE_SKIPPED = ("{skipped} duplicate skipped.", "{skipped} duplicates skipped.")
CONTENT_TYPES = {
    formats.CSV: ("text/csv; charset=utf-8", "csv"),
    formats.GIFT: ("text/plain; charset=utf-8", "gift.txt"),
}


def import_done_message(*, created: int, quiz: str, skipped: int) -> str:
    """The message after an import, in the right plural forms."""
    return ngettext(*IMPORT_DONE, created).format(created=created, quiz=quiz) + ngettext(
        *IMPORT_DONE_SKIPPED, skipped
    ).format(skipped=skipped)


def _token(*, request: HttpRequest, quiz: Quiz, text: str, file_format: str, topic) -> str:
    payload = {
        "quiz": quiz.pk,
        "user": request.user.pk,
        "format": file_format,
        "topic": topic.pk if topic else None,
        "text": text,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _read_token(request: HttpRequest, quiz: Quiz) -> dict | None:
    try:
        payload = signing.loads(
            request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return None
    if payload.get("quiz") != quiz.pk or payload.get("user") != request.user.pk:
        return None
    if payload.get("format") not in formats.FORMATS:
        return None
    return payload


def quiz_import(request: HttpRequest, *, quiz: Quiz, context: dict) -> HttpResponse:
    """Upload and preview a file, or confirm a signed preview (never data re-sent unsigned)."""
    context = {**context, "quiz": quiz, "formats": formats.FORMATS}
    if request.method == "POST" and "token" in request.POST:
        payload = _read_token(request, quiz)
        if payload is None:
            context["form"] = ImportUploadForm()
            context["problem"] = IMPORT_EXPIRED
            return render(request, "authoring/import.html", context, status=400)
        topic = Topic.objects.filter(pk=payload["topic"]).first() if payload["topic"] else None
        try:
            outcome = question_import_confirm(
                quiz=quiz,
                text=payload["text"],
                file_format=payload["format"],
                actor=request.user,
                default_topic=topic,
            )
        except ImportRefused as exc:
            context.update(preview=exc.preview, problem=exc.message, token="")
            return render(request, "authoring/import_preview.html", context, status=400)
        messages.success(
            request,
            import_done_message(
                created=len(outcome.created), quiz=quiz.title, skipped=outcome.duplicates_skipped
            ),
        )
        return redirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))

    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            context["form"] = form
            return render(request, "authoring/import.html", context, status=400)
        data = form.cleaned_data
        preview = question_import_preview(
            quiz=quiz,
            text=data["text"],
            file_format=data["file_format"],
            default_topic=data["default_topic"],
        )
        token = ""
        if preview.can_confirm:
            token = _token(
                request=request,
                quiz=quiz,
                text=data["text"],
                file_format=data["file_format"],
                topic=data["default_topic"],
            )
        context.update(preview=preview, token=token, filename=data["file"].name)
        return render(request, "authoring/import_preview.html", context)

    context["form"] = ImportUploadForm()
    return render(request, "authoring/import.html", context)


def quiz_export(request: HttpRequest, *, quiz: Quiz, file_format: str) -> HttpResponse:
    """Download the quiz's active questions as the CSV template or as GIFT."""
    content_type, extension = CONTENT_TYPES[file_format]
    response = HttpResponse(
        quiz_questions_export(quiz=quiz, file_format=file_format), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{quiz.slug}-questions.{extension}"'
    return response


def csv_template_download(request: HttpRequest) -> HttpResponse:
    """Download the CSV template with one example row per question kind."""
    response = HttpResponse(csv_template.template_text(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="question-template.csv"'
    return response


@educator_required
def home(request: HttpRequest) -> HttpResponse:
    """The educator's home: content needing attention, imports, previews and the analysis."""
    return render(request, "authoring/home.html", {"home": educator_home()})


@educator_required
def quiz_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a freshly drawn paper as a trainee would see it; nothing is recorded."""
    quiz = get_object_or_404(Quiz, slug=slug)
    try:
        paper = quiz_paper_build(quiz=quiz)
    except AttemptRefused as refused:
        messages.error(request, refused.message)
        return redirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    unsaved = Attempt(quiz=quiz, user=request.user, paper=paper, started_at=timezone.now())
    page = attempt_page_from_paper(attempt=unsaved, saved={})
    return render(
        request,
        "quizzes/attempt.html",
        {
            "page": page,
            "attempt": unsaved,
            "remaining_seconds": None,
            "preview": True,
            "written_max_chars": WRITTEN_ANSWER_MAX_CHARS,
        },
    )
