"""Admin for authoring: the question bank and quizzes.

* Quizzes: import questions (preview, then confirm), export to CSV or GIFT, the
  CSV template, and a "duplicate with its questions" action.
* Questions and choices: images with required alternative text.
* Editing a question that trainees have answered: the impact of a new answer
  key or points is shown before saving, with "keep past results" (the default)
  or "regrade"; questions with answers are retired, never deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.forms.formsets import all_valid
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from quizzes.authoring import formats, views
from quizzes.authoring.forms import (
    BlankIsZeroField,
    BlueprintInlineFormSet,
    ChoiceImageForm,
    ChoiceInlineFormSet,
    PoolInlineFormSet,
    QuestionImageForm,
)
from quizzes.authoring.regrade import (
    question_current_key,
    question_has_submitted_attempts,
    question_regrade,
    question_regrade_impact,
)
from quizzes.authoring.selectors import quality_report
from quizzes.authoring.services import (
    QUESTION_DELETE_REFUSED,
    QUESTIONS_MARKED_FOR_REVIEW,
    QUESTIONS_MOVED,
    QUESTIONS_NOT_MOVED,
    QUESTIONS_RETIRED,
    QUESTIONS_REVIEW_CLEARED,
    QUIZ_DUPLICATED,
    question_answer_count,
    question_delete,
    questions_bank_set,
    questions_retire,
    questions_review_set,
    quiz_duplicate,
)
from quizzes.models import Bank, Choice, Question, Quiz, QuizBlueprintRow, QuizQuestion
from quizzes.updates.admin import MaterialChangeAdminMixin
from quizzes.updates.forms import MaterialChangeFields
from trainingsite.admin_relations import SafeRelationsAdminMixin

REGRADE_KEEP = "keep"
REGRADE_APPLY = "regrade"
REGRADED_ATTEMPTS = (
    "{attempts} past attempt regraded with the new key; ",
    "{attempts} past attempts regraded with the new key; ",
)
REGRADED_TRAINEES = (
    "{trainees} trainee changed pass status.",
    "{trainees} trainees changed pass status.",
)
REGRADED_CERTIFICATES = " Certificates were checked again for newly passing attempts."
KEPT = "Past attempts keep their results: they were scored with the key they were taken with."


def regraded_message(*, attempts: int, trainees: int, certificates: str) -> str:
    """The message after a regrade, in the right plural forms."""
    return (
        ngettext(*REGRADED_ATTEMPTS, attempts).format(attempts=attempts)
        + ngettext(*REGRADED_TRAINEES, trainees).format(trainees=trainees)
        + certificates
    )


# Characters of a prompt shown in the question list (the whole prompt is its title).
PROMPT_SHOWN = 70


class VariantGroupFilter(admin.AllValuesFieldListFilter):
    """The variant groups, with the blank one named: an empty link has no accessible name."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": "no variant group"}
            yield choice


class ChoiceInline(admin.StackedInline):
    """One labelled block per choice: seven columns of a table do not fit a 1,280 px window."""

    model = Choice
    form = ChoiceImageForm
    formset = ChoiceInlineFormSet
    extra = 0
    min_num = 2
    fieldsets = [
        (None, {"fields": [("text", "is_correct"), "feedback", "order"]}),
        ("Image", {"fields": [("image", "image_alt"), "image_original_name"]}),
    ]
    readonly_fields = ["image_original_name"]


class PoolInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = QuizQuestion
    formset = PoolInlineFormSet
    extra = 0
    fields = ["order", "question", "kind", "question_bank", "points", "question_status"]
    readonly_fields = ["kind", "question_bank", "points", "question_status"]
    autocomplete_fields = ["question"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    @admin.display(description="kind")
    def kind(self, obj: QuizQuestion) -> str:
        return obj.question.get_kind_display() if obj.question_id else ""

    @admin.display(description="bank")
    def question_bank(self, obj: QuizQuestion) -> str:
        return obj.question.get_bank_display() if obj.question_id else ""

    @admin.display(description="points")
    def points(self, obj: QuizQuestion):
        return obj.question.points if obj.question_id else ""

    @admin.display(description="status")
    def question_status(self, obj: QuizQuestion) -> str:
        return obj.question.get_status_display() if obj.question_id else ""


class BlueprintInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = QuizBlueprintRow
    formset = BlueprintInlineFormSet
    extra = 0
    fields = ["topic", "count"]
    verbose_name = "blueprint row (questions per topic on every paper)"
    verbose_name_plural = (
        "blueprint: questions per topic on every paper (none: questions per attempt at random)"
    )


def _regrade_decision(request: HttpRequest) -> str | None:
    return request.POST.get("_regrade_decision")


class QuestionAdminForm(MaterialChangeFields, QuestionImageForm):
    pass


@admin.register(Question)
class QuestionAdmin(MaterialChangeAdminMixin, admin.ModelAdmin):
    form = QuestionAdminForm
    material_change_field = "questions"
    # What fits beside the filters at 1,280 px; kind, topic and variant group are filters
    # (the variant group also a search term), points are on the question's page.
    list_display = ["key", "short_prompt", "bank", "critical", "status", "needs_review"]
    list_filter = [
        "bank",
        "kind",
        "status",
        "needs_review",
        "critical",
        "topic",
        ("variant_group", VariantGroupFilter),
    ]
    search_fields = ["key", "prompt", "explanation", "choices__text", "variant_group"]
    list_select_related = ["topic"]
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["key", "kind", "bank", "prompt", "explanation"]}),
        ("Marking", {"fields": ["points", "critical", "status", "needs_review"]}),
        (
            "Written answer (for the assessor, never shown to trainees before marking)",
            {"fields": ["model_answer", "marking_guide"]},
        ),
        ("Tagging", {"fields": ["topic", "lesson", "variant_group"]}),
        ("Image", {"fields": ["image", "image_original_name", "image_alt"]}),
    ]
    readonly_fields = ["image_original_name"]
    actions = [
        "retire_questions",
        "mark_needs_review",
        "clear_needs_review",
        "move_to_exam_bank",
        "move_to_practice_bank",
    ]

    @admin.display(description="prompt", ordering="prompt")
    def short_prompt(self, obj: Question) -> str:
        """The prompt cut to a readable length; the whole of it in the title (on hover)."""
        shown = (
            obj.prompt if len(obj.prompt) <= PROMPT_SHOWN else obj.prompt[: PROMPT_SHOWN - 1] + "…"
        )
        return format_html('<span title="{}">{}</span>', obj.prompt, shown)

    @admin.action(description="Retire the selected questions (keep them for history)")
    def retire_questions(self, request, queryset):
        count = questions_retire(questions=list(queryset))
        self.message_user(request, QUESTIONS_RETIRED.format(count=count), messages.SUCCESS)

    @admin.action(description="Mark as needing review")
    def mark_needs_review(self, request, queryset):
        count = questions_review_set(questions=list(queryset), needs_review=True)
        message = QUESTIONS_MARKED_FOR_REVIEW.format(count=count)
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Clear needs review")
    def clear_needs_review(self, request, queryset):
        count = questions_review_set(questions=list(queryset), needs_review=False)
        message = QUESTIONS_REVIEW_CLEARED.format(count=count)
        self.message_user(request, message, messages.SUCCESS)

    def _move(self, request, queryset, bank: str) -> None:
        moved, blocked = questions_bank_set(questions=list(queryset), bank=bank)
        self.message_user(request, QUESTIONS_MOVED.format(count=moved, bank=bank), messages.SUCCESS)
        if blocked:
            many = len(blocked) > 1
            message = QUESTIONS_NOT_MOVED.format(
                keys=", ".join(blocked),
                verb="they were" if many else "it was",
                pronoun="they are" if many else "it is",
                them="them" if many else "it",
            )
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Move to the exam bank")
    def move_to_exam_bank(self, request, queryset):
        self._move(request, queryset, Bank.EXAM)

    @admin.action(description="Move to the practice bank")
    def move_to_practice_bank(self, request, queryset):
        self._move(request, queryset, Bank.PRACTICE)

    # Retire, never delete, a question trainees have answered.

    def has_delete_permission(self, request, obj=None):
        if obj is not None and question_answer_count(question=obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        question = self.get_object(request, unquote(object_id))
        if question is not None and super().has_delete_permission(request, question):
            count = question_answer_count(question=question)
            if count:
                message = QUESTION_DELETE_REFUSED.format(key=question.key, count=count)
                self.message_user(request, message, messages.ERROR)
                return redirect(reverse("admin:quizzes_question_change", args=[question.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        question_delete(question=obj)

    def delete_queryset(self, request, queryset):
        for question in queryset:
            question_delete(question=question)

    def get_actions(self, request):
        # Bulk deletion would skip the per-question explanation: retire instead.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # Show the impact of a new key before saving a question with submitted attempts.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and _regrade_decision(request) is None:
            response = self._regrade_impact_page(request, object_id)
            if response is not None:
                return response
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _regrade_impact_page(self, request, object_id):
        question = self.get_object(request, unquote(object_id))
        if question is None or not self.has_change_permission(request, question):
            return None
        if not question_has_submitted_attempts(question=question):
            return None
        # Validate on a separate instance: the form writes into the one it is given.
        candidate = self.get_object(request, unquote(object_id))
        form = self.get_form(request, candidate, change=True)(
            request.POST, request.FILES, instance=candidate
        )
        form_valid = form.is_valid()
        formsets, _ = self._create_formsets(request, form.instance, change=True)
        if not (form_valid and all_valid(formsets)):
            return None  # the normal page shows the errors
        current = question_current_key(question=question)
        key = dict(current)
        for formset in formsets:
            for choice_form in formset.forms:
                data = getattr(choice_form, "cleaned_data", None) or {}
                choice = data.get("id")
                if choice is not None and choice.pk in key and not data.get("DELETE"):
                    key[choice.pk] = bool(data.get("is_correct"))
        points = form.cleaned_data.get("points", question.points)
        if key == current and points == question.points:
            return None
        impact = question_regrade_impact(question=question, key=key, points=points)
        fields = [
            (name, value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken"
            for value in values
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Past attempts would change",
            "question": question,
            "impact": impact,
            "points_before": question.points,
            "points_after": points,
            "fields": fields,
            "lost_uploads": bool(request.FILES),
            "KEEP": REGRADE_KEEP,
            "REGRADE": REGRADE_APPLY,
        }
        return TemplateResponse(request, "authoring/regrade_impact.html", context)

    def material_change_summary(self, obj) -> str:
        return f"Exam item {obj.key} changed"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        decision = _regrade_decision(request)
        if not change or decision is None:
            return
        if decision != REGRADE_APPLY:
            self.message_user(request, KEPT, messages.INFO)
            return
        recheck = request.POST.get("_recheck_certificates") == "on"
        impact = question_regrade(
            question=form.instance, actor=request.user, recheck_certificates=recheck
        )
        self.message_user(
            request,
            regraded_message(
                attempts=len(impact.changes),
                trainees=impact.trainees_changing_status,
                certificates=REGRADED_CERTIFICATES if recheck else "",
            ),
            messages.SUCCESS,
        )


@admin.register(Quiz)
class QuizAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    change_form_template = "authoring/quiz_change_form.html"
    list_display = [
        "title",
        "status",
        "bank",
        "topic",
        "pass_mark",
        "pool_size",
        "active_size",
        "questions_per_attempt",
        "preview_link",
    ]
    list_filter = ["status", "bank", "topic", "feedback_policy"]
    search_fields = ["title", "slug", "description"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["lessons", "prerequisite_lessons"]
    readonly_fields = ["preview_link", "item_quality"]
    inlines = [PoolInline, BlueprintInline]
    actions = ["duplicate_quizzes"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "status", "order", "preview_link"]}),
        ("What it assesses", {"fields": ["bank", "topic", "lessons", "prerequisite_lessons"]}),
        (
            "Rules",
            {
                "fields": [
                    "pass_mark",
                    "topic_minimum_percent",
                    "max_attempts",
                    "time_limit_minutes",
                    "retake_wait_minutes",
                    "questions_per_attempt",
                    "min_critical_per_paper",
                    "questions_per_page",
                    "shuffle_questions",
                    "shuffle_choices",
                    "feedback_policy",
                    "practice_behaviour",
                    "practice_tries",
                    "hand_marked",
                    "blind_marking",
                ]
            },
        ),
        ("Item quality", {"fields": ["item_quality"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("questions_per_page", "min_critical_per_paper"):
            return db_field.formfield(form_class=BlankIsZeroField, required=False, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                pool_count=Count("pool", distinct=True),
                active_count=Count(
                    "pool", filter=Q(pool__question__status=Question.Status.ACTIVE), distinct=True
                ),
            )
        )

    @admin.display(description="pool", ordering="pool_count")
    def pool_size(self, obj: Quiz) -> int:
        return obj.pool_count

    @admin.display(description="active")
    def active_size(self, obj: Quiz) -> int:
        return obj.active_count

    @admin.display(description="preview")
    def preview_link(self, obj: Quiz) -> str:
        if not obj.pk:
            return "Save the quiz first."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as trainee</a>',
            reverse("authoring:quiz_preview", kwargs={"slug": obj.slug}),
        )

    @admin.display(description="item-quality check")
    def item_quality(self, obj: Quiz) -> str:
        if not obj.pk:
            return "Save the quiz first."
        report = quality_report(quiz=obj)
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    c.title,
                    "Pass" if c.passed else "Fail",
                    " ".join((c.summary, *c.notes)),
                    ", ".join(c.flagged_keys) or "none",
                )
                for c in report.criteria
            ),
        )
        return format_html(
            '<table class="item-quality"><caption>{}</caption><thead><tr>'
            '<th scope="col">Criterion</th><th scope="col">Result</th>'
            '<th scope="col">Figures</th><th scope="col">Items flagged</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            f"Item-quality check of the pool's {report.items} active questions: "
            + ("passes" if report.passed else "fails"),
            rows,
        )

    @admin.action(description="Duplicate the selected quizzes with their questions (as drafts)")
    def duplicate_quizzes(self, request, queryset):
        if not (self.has_add_permission(request) and request.user.has_perm("quizzes.add_question")):
            raise PermissionDenied
        for quiz in queryset:
            copy = quiz_duplicate(quiz=quiz)
            self.message_user(
                request,
                QUIZ_DUPLICATED.format(title=quiz.title, copy=copy.title, count=copy.pool.count()),
                messages.SUCCESS,
            )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "question-template.csv",
                wrap(self.template_view),
                name="quizzes_quiz_question_template",
            ),
            path(
                "<path:object_id>/import-questions/",
                wrap(self.import_view),
                name="quizzes_quiz_import_questions",
            ),
            path(
                "<path:object_id>/export-questions/<str:file_format>/",
                wrap(self.export_view),
                name="quizzes_quiz_export_questions",
            ),
            *super().get_urls(),
        ]

    def _quiz_or_404(self, request, object_id) -> Quiz:
        quiz = self.get_object(request, unquote(object_id))
        if quiz is None:
            raise Http404("No such quiz.")
        return quiz

    def import_view(self, request, object_id):
        quiz = self._quiz_or_404(request, object_id)
        if not (
            self.has_change_permission(request, quiz)
            and request.user.has_perm("quizzes.add_question")
        ):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import questions into “{quiz.title}”",
        }
        return views.quiz_import(request, quiz=quiz, context=context)

    def export_view(self, request, object_id, file_format):
        quiz = self._quiz_or_404(request, object_id)
        if not self.has_view_permission(request, quiz):
            raise PermissionDenied
        if file_format not in formats.EXPORT_FORMATS:
            raise Http404("Unknown export format.")
        return views.quiz_export(request, quiz=quiz, file_format=file_format)

    def template_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return views.csv_template_download(request)
