"""Authoring forms: they validate and normalise uploads, nothing more."""

from __future__ import annotations

from django import forms

from lessons.models import Topic
from quizzes.authoring import formats
from quizzes.authoring.formats.common import MAX_UPLOAD_BYTES, FileRejected, decode_upload

IMPORT_FORMAT_UNKNOWN = "Choose the file's format: its name does not say (.csv, .gift, .aiken)."


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV template, GIFT or Aiken file in UTF-8, at most 1 MB.",
    )
    file_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "From the file name"), *formats.FORMATS.items()],
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
            raise forms.ValidationError(formats.common.ERROR_TOO_LARGE)
        file_format = cleaned.get("file_format") or formats.guess_format(upload.name)
        if not file_format:
            raise forms.ValidationError(IMPORT_FORMAT_UNKNOWN)
        try:
            cleaned["text"] = decode_upload(upload.read())
        except FileRejected as exc:
            raise forms.ValidationError(exc.message) from exc
        cleaned["file_format"] = file_format
        return cleaned
