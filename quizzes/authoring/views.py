"""Admin pages for authoring at scale: import (preview, then confirm), export, template.

The admin (quizzes.authoring.admin) routes here after its own permission
checks and hands over the quiz; these views parse a form, call one service or
selector and render.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lessons.models import Topic
from quizzes.authoring import formats as question_formats
from quizzes.authoring.formats import csv_template
from quizzes.authoring.formats.common import MAX_UPLOAD_BYTES, FileRejected, decode_upload
from quizzes.authoring.imports import (
    ImportRefused,
    question_import_confirm,
    question_import_preview,
    quiz_questions_export,
)
from quizzes.models import Quiz

TOKEN_SALT = "quizzes.authoring.imports"
TOKEN_MAX_AGE = 60 * 60
IMPORT_EXPIRED = "This preview has expired or belongs to another import. Upload the file again."
IMPORT_FORMAT_UNKNOWN = "Choose the file's format: its name does not say (.csv, .gift, .aiken)."
IMPORT_DONE = "{created} question(s) imported into “{quiz}”; {skipped} duplicate(s) skipped."
CONTENT_TYPES = {
    question_formats.CSV: ("text/csv; charset=utf-8", "csv"),
    question_formats.GIFT: ("text/plain; charset=utf-8", "gift.txt"),
}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV template, GIFT or Aiken file in UTF-8, at most 1 MB.",
    )
    file_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "From the file name"), *question_formats.FORMATS.items()],
    )
    default_topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        help_text="For questions that name no topic. Blank: the quiz's own topic.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(question_formats.common.ERROR_TOO_LARGE)
        file_format = cleaned.get("file_format") or question_formats.guess_format(upload.name)
        if not file_format:
            raise forms.ValidationError(IMPORT_FORMAT_UNKNOWN)
        try:
            cleaned["text"] = decode_upload(upload.read())
        except FileRejected as exc:
            raise forms.ValidationError(exc.message) from exc
        cleaned["file_format"] = file_format
        return cleaned


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
    if payload.get("format") not in question_formats.FORMATS:
        return None
    return payload


def quiz_import(request: HttpRequest, *, quiz: Quiz, context: dict) -> HttpResponse:
    """Upload and preview a file, or confirm a signed preview (never data re-sent unsigned)."""
    context = {**context, "quiz": quiz, "formats": question_formats.FORMATS}
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
            IMPORT_DONE.format(
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
