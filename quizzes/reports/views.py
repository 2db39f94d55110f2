"""Manager reports and question analysis: the overview, trainees, drill-down, quizzes, CSV.

Thin views: a form parses the query, one selector does the work, the template
renders (the CSV downloads are built in quizzes.reports.exports). Every cohort
and trainee goes through the scoping helpers in quizzes.cohorts.scope, so
anything outside the viewer's cohorts is a 404.
"""

from functools import wraps
from typing import NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from quizzes.authoring.services import (
    QUESTIONS_MARKED_FOR_REVIEW,
    QUESTIONS_REVIEW_CLEARED,
    questions_review_set,
)
from quizzes.certification.rules import ProgressStatus
from quizzes.cohorts.scope import (
    cohort_for_manager_or_404,
    cohorts_for_manager,
    trainee_for_manager_or_404,
)
from quizzes.reports.detail import report_trainee_detail, trainee_attempts
from quizzes.reports.exports import (
    ATTEMPT_HEADER,
    OVERVIEW_HEADER,
    QUESTION_HEADER,
    QUIZ_SCORES_HEADER,
    TRAINEE_HEADER,
    attempt_rows,
    csv_response,
    overview_rows,
    question_rows,
    quiz_score_rows,
    trainee_rows,
)
from quizzes.reports.forms import (
    RETENTION_BELOW,
    CohortFilterForm,
    QuestionReviewForm,
    TraineeFilterForm,
    filter_problems,
)
from quizzes.reports.item_analysis import ANALYSIS_GUIDANCE, RELIABILITY_GUIDANCE
from quizzes.reports.overview import report_overview
from quizzes.reports.progress import STATUS_ORDER
from quizzes.reports.quiz_stats import (
    question_in_pool_or_404,
    quiz_for_reports_or_404,
    quizzes_for_reports,
    report_question_analysis,
    report_quiz,
    report_quiz_reliability,
)
from quizzes.reports.trainees import TraineeFilters, report_trainees, report_trainees_export
from quizzes.spaced_review.retention import (
    FORGOTTEN_MIN_TRAINEES,
    points_forgotten_fastest,
    threshold_percent,
    trainee_retention,
)
from trainingsite.access import educator_required, manager_required
from trainingsite.roles import user_is_educator, user_is_manager

NOT_FOR_TRAINEES = "This page is for managers and educators."
BAD_FILTER = "These filters are not valid: {errors}"
# The trainees table's sortable columns: (sort key, header); other columns do not sort.
SORTABLE_COLUMNS = [
    ("name", "Trainee"),
    ("program", "Program"),
    ("status", "Status"),
    ("due", "Due"),
    ("percent", "Progress"),
    ("activity", "Last activity"),
    ("recall", "Recall"),
    ("critical", "Critical recall"),
]


def reports_staff_required(view):
    """Managers and educators only; trainees get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (user_is_manager(request.user) or user_is_educator(request.user)):
            raise PermissionDenied(NOT_FOR_TRAINEES)
        return view(request, *args, **kwargs)

    return wrapped


def _refuse_filters(form) -> NoReturn:
    """Refuse a bad filter with the site's 400 page, saying what was wrong."""
    raise BadRequest(BAD_FILTER.format(errors=" ".join(filter_problems(form))))


def _cohort_from_query(request, form):
    slug = form.cleaned_data.get("cohort")
    return cohort_for_manager_or_404(request.user, slug) if slug else None


# --- Overview -------------------------------------------------------------------------


@manager_required
@require_GET
def overview(request):
    form = CohortFilterForm(request.GET)
    if not form.is_valid():
        _refuse_filters(form)
    cohort = _cohort_from_query(request, form)
    data = report_overview(user=request.user, cohort=cohort)
    return render(
        request,
        "reports/overview.html",
        {
            "section": "overview",
            "overview": data,
            "cohort": cohort,
            "all_cohorts": data.all_cohorts,
            "overdue": ProgressStatus.OVERDUE.value,
            "status_order": STATUS_ORDER,
        },
    )


@manager_required
@require_GET
def overview_export(request):
    form = CohortFilterForm(request.GET)
    if not form.is_valid():
        _refuse_filters(form)
    data = report_overview(user=request.user, cohort=_cohort_from_query(request, form))
    return csv_response("cohort-overview", OVERVIEW_HEADER, overview_rows(data))


# --- Trainees ---------------------------------------------------------------------------


def _trainee_filters(request):
    form = TraineeFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    sort = data["sort"]
    filters = TraineeFilters(
        cohort=_cohort_from_query(request, form),
        program=data.get("program"),
        status=data.get("status") or "",
        q=data.get("q") or "",
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
        below_threshold=data.get("retention") == RETENTION_BELOW,
    )
    return form, filters


def _sort_headers(query, filters: TraineeFilters) -> list[dict]:
    """Each sortable column's link (filters kept, page reset) and its aria-sort state.

    A link sorts ascending, or descending when the column is already sorted ascending.
    """
    query = query.copy()
    query.pop("page", None)
    headers = []
    for key, label in SORTABLE_COLUMNS:
        current = filters.sort == key
        query["sort"] = f"-{key}" if current and not filters.descending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + query.urlencode(),
                "aria_sort": ("descending" if filters.descending else "ascending")
                if current
                else "",
            }
        )
    return headers


@manager_required
@require_GET
def trainees(request):
    form, filters = _trainee_filters(request)
    if filters is None:
        _refuse_filters(form)
    table = report_trainees(user=request.user, filters=filters, page=form.cleaned_data["page"])
    query = request.GET.copy()
    query.pop("page", None)
    headers = {h["key"]: h for h in _sort_headers(request.GET, filters)}
    return render(
        request,
        "reports/trainees.html",
        {
            "section": "trainees",
            "form": form,
            "filters": filters,
            "table": table,
            "query": query.urlencode(),
            "all_cohorts": table.all_cohorts,
            "headers": headers,
            "retention_threshold": threshold_percent(),
        },
    )


@manager_required
@require_GET
def trainees_export(request):
    form, filters = _trainee_filters(request)
    if filters is None:
        _refuse_filters(form)
    rows = trainee_rows(report_trainees_export(user=request.user, filters=filters))
    return csv_response("trainees", TRAINEE_HEADER, rows)


@manager_required
@require_GET
def trainee_detail(request, pk: int):
    detail = report_trainee_detail(user=request.user, trainee_id=pk)
    return render(
        request,
        "reports/trainee_detail.html",
        {
            "detail": detail,
            "retention": trainee_retention(user_id=detail.trainee.pk),
            "section": "trainees",
        },
    )


@manager_required
@require_GET
def trainee_attempts_export(request, pk: int):
    trainee = trainee_for_manager_or_404(request.user, pk)
    rows = attempt_rows(trainee_attempts(trainee=trainee).iterator(chunk_size=500))
    return csv_response(f"attempts-{trainee.pk}", ATTEMPT_HEADER, rows)


# --- Quizzes and questions ----------------------------------------------------------------


@reports_staff_required
@require_GET
def quiz_list(request):
    # The points forgotten fastest are read across every trainee: for educators, who
    # write the questions, not for managers, who see their own cohorts only.
    is_educator = user_is_educator(request.user)
    return render(
        request,
        "reports/quizzes.html",
        {
            "section": "quizzes",
            "quizzes": quizzes_for_reports(),
            "is_manager": user_is_manager(request.user),
            "is_educator": is_educator,
            "forgotten": points_forgotten_fastest() if is_educator else [],
            "forgotten_min": FORGOTTEN_MIN_TRAINEES,
        },
    )


def _quiz_context(request, pk: int):
    form = CohortFilterForm(request.GET)
    if not form.is_valid():
        return form, None, None
    quiz = quiz_for_reports_or_404(pk)
    cohort = _cohort_from_query(request, form)
    return form, quiz, cohort


@reports_staff_required
@require_GET
def quiz_report(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        _refuse_filters(form)
    stats, chart = report_quiz(user=request.user, quiz=quiz, cohort=cohort)
    reliability = report_quiz_reliability(user=request.user, quiz=quiz, cohort=cohort)
    return render(
        request,
        "reports/quiz.html",
        {
            "section": "quizzes",
            "quiz": quiz,
            "cohort": cohort,
            "stats": stats,
            "chart": chart,
            "reliability": reliability,
            "reliability_guidance": RELIABILITY_GUIDANCE,
            "all_cohorts": cohorts_for_manager(request.user).order_by("name"),
        },
    )


@reports_staff_required
@require_GET
def quiz_report_export(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        _refuse_filters(form)
    stats, _ = report_quiz(user=request.user, quiz=quiz, cohort=cohort)
    return csv_response(f"quiz-{quiz.slug}-scores", QUIZ_SCORES_HEADER, quiz_score_rows(stats))


@reports_staff_required
@require_GET
def question_analysis(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        _refuse_filters(form)
    rows = report_question_analysis(
        user=request.user,
        quiz=quiz,
        cohort=cohort,
        admin_links=user_is_educator(request.user),
    )
    reliability = report_quiz_reliability(user=request.user, quiz=quiz, cohort=cohort)
    return render(
        request,
        "reports/questions.html",
        {
            "section": "quizzes",
            "quiz": quiz,
            "cohort": cohort,
            "rows": rows,
            "reliability": reliability,
            "reliability_guidance": RELIABILITY_GUIDANCE,
            "analysis_guidance": ANALYSIS_GUIDANCE,
            "can_review": user_is_educator(request.user),
            "all_cohorts": cohorts_for_manager(request.user).order_by("name"),
        },
    )


@reports_staff_required
@require_GET
def question_analysis_export(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        _refuse_filters(form)
    rows = question_rows(report_question_analysis(user=request.user, quiz=quiz, cohort=cohort))
    return csv_response(f"quiz-{quiz.slug}-questions", QUESTION_HEADER, rows)


@educator_required
@require_POST
def question_review(request, pk: int, question_pk: int):
    """Mark a question of the quiz as needing review, or clear the mark (educators)."""
    quiz = quiz_for_reports_or_404(pk)
    question = question_in_pool_or_404(quiz=quiz, question_id=question_pk)
    form = QuestionReviewForm(request.POST)
    if not form.is_valid():
        _refuse_filters(form)
    needs_review = form.cleaned_data["needs_review"]
    count = questions_review_set(questions=[question], needs_review=needs_review)
    message = QUESTIONS_MARKED_FOR_REVIEW if needs_review else QUESTIONS_REVIEW_CLEARED
    messages.success(request, message.format(count=count))
    target = reverse("reports:questions", args=[quiz.pk])
    cohort_form = CohortFilterForm(request.GET)
    if cohort_form.is_valid() and cohort_form.cleaned_data.get("cohort"):
        target += f"?cohort={cohort_form.cleaned_data['cohort']}"
    return redirect(f"{target}#q-{question.pk}")
