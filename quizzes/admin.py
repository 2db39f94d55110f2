from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from quizzes.models import (
    Accommodation,
    Attempt,
    AttemptAnswer,
    Choice,
    Question,
    Quiz,
    QuizQuestion,
)
from quizzes.services import accommodation_grant
from quizzes.validation import question_choice_problems, quiz_publish_problem


def _live_forms(formset):
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE", False)]


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kind = self.instance.kind
        flags = [bool(f.cleaned_data.get("is_correct")) for f in _live_forms(self)]
        problems = question_choice_problems(kind=kind, correct_flags=flags)
        if problems:
            raise forms.ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    extra = 0
    min_num = 2
    fields = ["order", "text", "is_correct", "feedback"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["key", "short_prompt", "kind", "topic", "points", "critical", "status"]
    list_filter = ["kind", "status", "critical", "topic"]
    search_fields = ["key", "prompt", "explanation", "choices__text"]
    list_select_related = ["topic"]
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["key", "kind", "prompt", "explanation"]}),
        ("Marking", {"fields": ["points", "critical", "status"]}),
        ("Tagging", {"fields": ["topic", "lesson"]}),
    ]

    @admin.display(description="prompt")
    def short_prompt(self, obj: Question) -> str:
        return obj.prompt if len(obj.prompt) <= 80 else obj.prompt[:77] + "…"


class PoolInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        quiz = self.instance
        active = sum(
            1
            for f in _live_forms(self)
            if f.cleaned_data.get("question") is not None
            and f.cleaned_data["question"].status == Question.Status.ACTIVE
        )
        problem = quiz_publish_problem(
            published=quiz.status == Quiz.Status.PUBLISHED,
            questions_per_attempt=quiz.questions_per_attempt,
            active=active,
        )
        if problem:
            raise forms.ValidationError(problem)


class PoolInline(admin.TabularInline):
    model = QuizQuestion
    formset = PoolInlineFormSet
    extra = 0
    fields = ["order", "question", "kind", "points", "question_status"]
    readonly_fields = ["kind", "points", "question_status"]
    autocomplete_fields = ["question"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    @admin.display(description="kind")
    def kind(self, obj: QuizQuestion) -> str:
        return obj.question.get_kind_display() if obj.question_id else ""

    @admin.display(description="points")
    def points(self, obj: QuizQuestion):
        return obj.question.points if obj.question_id else ""

    @admin.display(description="status")
    def question_status(self, obj: QuizQuestion) -> str:
        return obj.question.get_status_display() if obj.question_id else ""


class BlankIsZeroField(forms.IntegerField):
    """An optional number whose empty value means 0 (e.g. 0 questions per page = all)."""

    def clean(self, value):
        cleaned = super().clean(value)
        return 0 if cleaned is None else cleaned


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "topic",
        "pass_mark",
        "pool_size",
        "active_size",
        "questions_per_attempt",
        "preview_link",
    ]
    list_filter = ["status", "topic", "feedback_policy"]
    search_fields = ["title", "slug", "description"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["lessons", "prerequisite_lessons"]
    readonly_fields = ["preview_link"]
    inlines = [PoolInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "status", "order", "preview_link"]}),
        ("What it assesses", {"fields": ["topic", "lessons", "prerequisite_lessons"]}),
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
                    "questions_per_page",
                    "shuffle_questions",
                    "shuffle_choices",
                    "feedback_policy",
                ]
            },
        ),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "questions_per_page":
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
            reverse("quizzes:preview", kwargs={"slug": obj.slug}),
        )


@admin.register(Accommodation)
class AccommodationAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "extra_minutes", "extra_attempts", "granted_by", "created_at"]
    list_filter = ["quiz"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["user", "quiz", "granted_by"]
    readonly_fields = ["granted_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The trainee and quiz identify the grant; change the amounts, not whom it is for.
        if obj is not None and obj.pk:
            return [*self.readonly_fields, "user", "quiz"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = accommodation_grant(
            quiz=obj.quiz,
            trainee=obj.user,
            extra_minutes=obj.extra_minutes,
            extra_attempts=obj.extra_attempts,
            by=request.user,
            note=obj.note,
        )
        obj.pk = saved.pk
        obj.granted_by = saved.granted_by
        obj.created_at = saved.created_at


def _choice_line(choice: dict, selected: set[int]) -> tuple:
    marks = []
    if choice["id"] in selected:
        marks.append("chosen")
    if choice.get("is_correct"):
        marks.append("correct")
    text = choice["text"]
    shown = format_html("<strong>{}</strong>", text) if choice["id"] in selected else text
    return (shown, f" [{', '.join(marks)}]" if marks else "")


def _verdict(row: AttemptAnswer | None) -> str:
    if row is None or row.is_correct is None:
        return "not scored yet"
    awarded = f"{row.awarded:g}" if row.awarded is not None else "–"
    return f"{awarded} awarded, {'correct' if row.is_correct else 'wrong'}"


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Attempts record what a trainee did: educators look, nobody edits them here."""

    list_display = [
        "started_at",
        "user",
        "quiz",
        "kind",
        "state",
        "score",
        "passed",
        "close_reason",
    ]
    list_filter = ["state", "kind", "passed", "close_reason", "quiz"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["user", "quiz"]
    date_hierarchy = "started_at"
    fields = [
        "uuid",
        "user",
        "quiz",
        "kind",
        "source_attempt",
        "state",
        "close_reason",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "passed",
        "fail_reasons_text",
        "paper_review",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "quiz", "source_attempt")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="score", ordering="percent")
    def score(self, obj: Attempt) -> str:
        if obj.percent is None:
            return "–"
        return f"{obj.points:g} / {obj.max_points:g} ({obj.percent:g}%)"

    @admin.display(description="why it failed")
    def fail_reasons_text(self, obj: Attempt) -> str:
        return "; ".join(r.get("message", "") for r in obj.fail_reasons) or "–"

    @admin.display(description="paper and answers")
    def paper_review(self, obj: Attempt):
        """The frozen paper with the trainee's choices as they were scored (one query)."""
        rows = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt=obj)}
        items = []
        for number, q in enumerate(obj.paper.get("questions", []), start=1):
            row = rows.get(q["id"])
            selected = set(row.selected) if row else set()
            choices = format_html_join(
                "", "<li>{}{}</li>", (_choice_line(c, selected) for c in q["choices"])
            )
            explanation = (
                format_html("<p>Explanation: {}</p>", q["explanation"])
                if q.get("explanation")
                else ""
            )
            items.append(
                (
                    number,
                    q["prompt"],
                    q.get("key", ""),
                    q["points"],
                    " · critical" if q.get("critical") else "",
                    _verdict(row),
                    choices,
                    explanation,
                )
            )
        if not items:
            return "No questions on this paper."
        return format_html(
            '<ol class="attempt-review">{}</ol>',
            format_html_join(
                "",
                '<li data-question-number="{}"><p><strong>{}</strong></p>'
                "<p>{} · {} point(s){} · {}</p><ul>{}</ul>{}</li>",
                items,
            ),
        )


from quizzes import admin_authoring, admin_certification, admin_cohorts  # noqa: E402,F401
