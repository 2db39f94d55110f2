import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from lessons.models import Lesson, LessonCompletion
from lessons.selectors import (
    LESSON_NOT_FOUND,
    lesson_completed_at,
    lesson_get_for_user,
    lesson_neighbours,
    lessons_overview,
)
from lessons.services import lesson_publish
from tests.builders import complete_lesson, make_lesson, make_topic

pytestmark = pytest.mark.django_db

# Role lookup (once per user object), the topics with their visible lessons, the user's completions.
OVERVIEW_QUERY_BUDGET = 3


@pytest.fixture
def course():
    """Two topics listed in order 1, 2 but created in reverse; lessons created out of order."""
    managing = make_topic(title="Managing bleeding", slug="managing", order=2)
    why = make_topic(title="Why bleeding occurs", slug="why", order=1)
    return {
        "why_2": make_lesson(topic=why, slug="why-2", order=2),
        "why_1": make_lesson(topic=why, slug="why-1", order=1),
        "why_draft": make_lesson(topic=why, slug="why-draft", order=3, status=Lesson.Status.DRAFT),
        "managing_1": make_lesson(topic=managing, slug="managing-1", order=1),
    }


def _slugs(overview):
    return [[item.lesson.slug for item in entry.lessons] for entry in overview.topics]


def test_overview_lists_topics_and_published_lessons_in_order_for_a_trainee(trainee, course):
    overview = lessons_overview(user=trainee)
    assert [entry.topic.slug for entry in overview.topics] == ["why", "managing"]
    assert _slugs(overview) == [["why-1", "why-2"], ["managing-1"]]


def test_overview_shows_drafts_to_an_educator_but_not_in_progress(educator, course):
    overview = lessons_overview(user=educator)
    assert _slugs(overview) == [["why-1", "why-2", "why-draft"], ["managing-1"]]
    assert overview.total == 3


def test_overview_counts_only_the_users_completions(trainee, other_trainee, course):
    complete_lesson(user=trainee, lesson=course["why_2"])
    complete_lesson(user=other_trainee, lesson=course["why_1"])
    overview = lessons_overview(user=trainee)
    flags = [[item.completed for item in entry.lessons] for entry in overview.topics]
    assert flags == [[False, True], [False]]
    assert (overview.done, overview.total, overview.percent) == (1, 3, 33)


def test_overview_skips_topics_with_nothing_visible(trainee):
    make_topic(slug="empty")
    hidden = make_topic(slug="drafts-only")
    make_lesson(topic=hidden, status=Lesson.Status.DRAFT)
    overview = lessons_overview(user=trainee)
    assert overview.topics == []
    assert (overview.done, overview.total, overview.percent) == (0, 0, 0)


def _build(lesson_count: int, user) -> None:
    topics = [make_topic() for _ in range(3)]
    for n in range(lesson_count):
        lesson = make_lesson(topic=topics[n % 3])
        if n % 2:
            complete_lesson(user=user, lesson=lesson)
        if n % 5 == 0:
            make_lesson(topic=topics[n % 3], status=Lesson.Status.DRAFT)


def _overview_queries(user) -> int:
    user = type(user).objects.get(pk=user.pk)  # a fresh object: no cached roles
    with CaptureQueriesContext(connection) as context:
        overview = lessons_overview(user=user)
        # Read everything the template reads.
        shown = [
            (entry.topic.title, item.lesson.title, item.lesson.slug, item.completed)
            for entry in overview.topics
            for item in entry.lessons
        ]
    assert shown
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["trainee", "educator"])
def test_overview_query_count_is_the_same_for_3_and_60_lessons(persona, request):
    user = request.getfixturevalue(persona)
    _build(3, user)
    small = _overview_queries(user)
    _build(57, user)
    assert Lesson.objects.published().count() == 60
    large = _overview_queries(user)
    assert small == large == OVERVIEW_QUERY_BUDGET


def test_overview_stays_within_its_budget(trainee, django_assert_max_num_queries):
    _build(60, trainee)
    with django_assert_max_num_queries(OVERVIEW_QUERY_BUDGET):
        lessons_overview(user=trainee)


def test_get_for_user_hides_drafts_from_trainees_and_managers(trainee, manager, course):
    for user in (trainee, manager):
        with pytest.raises(Http404) as error:
            lesson_get_for_user(user=user, slug="why-draft")
        assert str(error.value) == LESSON_NOT_FOUND


def test_get_for_user_shows_drafts_to_educators(educator, course):
    assert lesson_get_for_user(user=educator, slug="why-draft") == course["why_draft"]


def test_get_for_user_unknown_slug_is_404(trainee, course):
    with pytest.raises(Http404):
        lesson_get_for_user(user=trainee, slug="no-such-lesson")


def test_neighbours_cross_topics_in_order(trainee, course):
    assert lesson_neighbours(user=trainee, lesson=course["why_1"]) == (None, course["why_2"])
    assert lesson_neighbours(user=trainee, lesson=course["why_2"]) == (
        course["why_1"],
        course["managing_1"],
    )
    assert lesson_neighbours(user=trainee, lesson=course["managing_1"]) == (
        course["why_2"],
        None,
    )


def test_neighbours_for_an_educator_include_drafts(educator, course):
    assert lesson_neighbours(user=educator, lesson=course["why_draft"]) == (
        course["why_2"],
        course["managing_1"],
    )


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # a fresh object: no cached roles


def test_trainee_overview_reads_the_shared_lessons_from_the_content_cache(trainee, course):
    lessons_overview(user=_fresh(trainee))
    user = _fresh(trainee)
    with CaptureQueriesContext(connection) as context:
        overview = lessons_overview(user=user)
    # The role lookup and the trainee's own completions; the lessons come from the cache.
    assert len(context.captured_queries) == 2
    assert _slugs(overview) == [["why-1", "why-2"], ["managing-1"]]


def test_trainee_overview_shows_a_lesson_published_after_it_was_cached(trainee, course, educator):
    lessons_overview(user=trainee)
    lesson_publish(lessons=[course["why_draft"]], by=educator)
    assert _slugs(lessons_overview(user=_fresh(trainee))) == [
        ["why-1", "why-2", "why-draft"],
        ["managing-1"],
    ]
    Lesson.objects.filter(pk=course["why_2"].pk).get().delete()
    assert _slugs(lessons_overview(user=_fresh(trainee))) == [
        ["why-1", "why-draft"],
        ["managing-1"],
    ]


def test_cached_overview_is_never_shared_between_trainees_and_educators(trainee, educator, course):
    # An educator's drafts never reach the cache, and the trainees' copy never hides them.
    assert _slugs(lessons_overview(user=educator))[0] == ["why-1", "why-2", "why-draft"]
    assert _slugs(lessons_overview(user=trainee))[0] == ["why-1", "why-2"]
    assert _slugs(lessons_overview(user=_fresh(educator)))[0] == ["why-1", "why-2", "why-draft"]


def test_cached_overview_keeps_each_trainees_own_completions(trainee, other_trainee, course):
    complete_lesson(user=trainee, lesson=course["why_1"])
    mine = lessons_overview(user=trainee)
    theirs = lessons_overview(user=other_trainee)
    assert [item.completed for item in mine.topics[0].lessons] == [True, False]
    assert [item.completed for item in theirs.topics[0].lessons] == [False, False]


def test_completed_at_is_the_users_own_completion_time(trainee, other_trainee, course):
    lesson = course["why_1"]
    assert lesson_completed_at(user=trainee, lesson=lesson) is None
    complete_lesson(user=other_trainee, lesson=lesson)
    assert lesson_completed_at(user=trainee, lesson=lesson) is None
    completion = complete_lesson(user=trainee, lesson=lesson)
    stored = LessonCompletion.objects.get(pk=completion.pk).completed_at
    found = lesson_completed_at(user=trainee, lesson=lesson)
    assert found == stored and found.tzinfo is not None
    assert lesson_completed_at(user=trainee, lesson=course["why_2"]) is None


def test_completed_at_takes_one_query(trainee, course, django_assert_num_queries):
    complete_lesson(user=trainee, lesson=course["why_1"])
    with django_assert_num_queries(1):
        lesson_completed_at(user=trainee, lesson=course["why_1"])
