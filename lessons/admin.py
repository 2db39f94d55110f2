from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_POST

from lessons.forms import LESSON_PREVIEW_REFUSED, LessonPreviewForm
from lessons.markdown import lesson_markdown_problems, render_lesson_markdown
from lessons.models import Lesson, Topic
from lessons.services import (
    EMPTY_BODY_CANNOT_BE_PUBLISHED,
    lesson_body_is_empty,
    lesson_publish,
    lesson_save,
    lesson_unpublish,
)
from lessons.views import lesson_page_context


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "slug"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["order", "id"]


class LessonAdminForm(forms.ModelForm):
    reread_required = forms.BooleanField(
        label="Material change: trainees must re-read this change",
        required=False,
        help_text=(
            "Tick when this edit changes what practitioners should do. Trainees who "
            "already completed the lesson are asked to read it again, renewing a "
            "certificate then needs it read again, and every certified trainee of a "
            "program requiring it gets an update to complete within the program's window "
            "(or the certificate expires early). Leave it unticked for typo fixes."
        ),
    )
    change_summary = forms.CharField(
        label="What changed",
        required=False,
        max_length=250,
        help_text="For a material change: one line that certified trainees will read.",
    )

    class Meta:
        model = Lesson
        fields = [
            "topic",
            "title",
            "slug",
            "summary",
            "objectives",
            "reading_minutes",
            "order",
            "status",
            "body_markdown",
        ]

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        body = cleaned_data.get("body_markdown") or ""
        if status == Lesson.Status.PUBLISHED and lesson_body_is_empty(body):
            self.add_error("body_markdown", EMPTY_BODY_CANNOT_BE_PUBLISHED)
        return cleaned_data


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonAdminForm
    list_display = ["title", "topic", "order", "status", "updated_at", "updated_by"]
    list_filter = ["topic", "status"]
    list_select_related = ["topic", "updated_by"]
    search_fields = ["title", "slug", "summary", "body_markdown"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at", "updated_by", "content_changed_at"]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["topic", "title", "slug", "summary", "order", "status"]}),
        (
            "Content",
            {
                "fields": ["objectives", "reading_minutes", "body_markdown"],
                "description": (
                    'Callouts: start a line with <code>!!! red-flag "Title"</code> or '
                    '<code>!!! key-points "Key points"</code> and indent the text under it '
                    "by four spaces. “Preview unsaved changes” (below) shows the lesson "
                    "as trainees will see it, in a new tab, without saving."
                ),
            },
        ),
        ("Last change", {"fields": ["updated_at", "updated_by"]}),
    ]
    reread_fieldset = (
        "Re-reading",
        {"fields": ["reread_required", "change_summary", "content_changed_at"]},
    )

    def get_fieldsets(self, request, obj=None):
        # A new lesson has no readers yet: the re-read flag is for changes only.
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, self.reread_fieldset]

    def save_model(self, request, obj, form, change):
        lesson_save(
            lesson=obj,
            by=request.user,
            reread_required=change and form.cleaned_data.get("reread_required", False),
            change_summary=form.cleaned_data.get("change_summary", ""),
        )

    @admin.action(description="Publish selected lessons", permissions=["change"])
    def publish_selected(self, request, queryset):
        try:
            changed = lesson_publish(lessons=queryset, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Published {changed} lesson{'s' * (changed != 1)}.")

    @admin.action(description="Unpublish selected lessons (back to draft)", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        changed = lesson_unpublish(lessons=queryset, by=request.user)
        self.message_user(request, f"Unpublished {changed} lesson{'s' * (changed != 1)}.")

    def get_urls(self):
        preview = path(
            "<int:pk>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="lessons_lesson_preview",
        )
        preview_unsaved = path(
            "preview/",
            self.admin_site.admin_view(self.preview_unsaved_view),
            name="lessons_lesson_preview_unsaved",
        )
        return [preview, preview_unsaved, *super().get_urls()]

    def preview_view(self, request, pk):
        """Render the saved lesson with the trainee's template, sanitised as trainees get it."""
        lesson = get_object_or_404(Lesson.objects.select_related("topic"), pk=pk)
        if not self.has_view_permission(request, lesson):
            raise PermissionDenied
        # Neighbours as a trainee sees them: published lessons only.
        context = lesson_page_context(user=None, lesson=lesson, preview=True)
        return render(request, "lessons/detail.html", context)

    def preview_unsaved_view(self, request):
        """Render the change page's current title and Markdown as trainees would see them."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return _preview_unsaved(request)


@require_POST
def _preview_unsaved(request):
    form = LessonPreviewForm(request.POST)
    if not form.is_valid():
        problems = " ".join(message for errors in form.errors.values() for message in errors)
        return render(
            request,
            "lessons/preview_refused.html",
            {"message": LESSON_PREVIEW_REFUSED.format(problems=problems)},
            status=400,
        )
    lesson = form.lesson()
    # The same renderer and sanitiser as Lesson.save(): what trainees would get.
    lesson.body_html = render_lesson_markdown(lesson.body_markdown)
    context = {
        "lesson": lesson,
        "completed_at": None,
        "needs_reread": False,
        "previous_lesson": None,
        "next_lesson": None,
        "preview": True,
        "problems": [problem.message for problem in lesson_markdown_problems(lesson.body_markdown)],
    }
    return render(request, "lessons/preview_unsaved.html", context)
