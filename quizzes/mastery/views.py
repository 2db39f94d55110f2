"""The trainee's own progress by topic: no URL names a user, so nobody sees anyone else's."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quizzes.mastery import rules
from quizzes.mastery.charts import topics_svg, weeks_svg
from quizzes.mastery.selectors import mastery_page_data

EMPTY_STATE = (
    "No answers to show yet. Take a topic quiz or a practice round and your progress "
    "by topic appears here."
)
NOTHING_TO_REVIEW = "Every topic you have answered is at or above the target. Well done."


@login_required
@require_GET
def topics(request):
    """Per topic: the share answered correctly, the trend, and what to review next."""
    page = mastery_page_data(user=request.user)
    mastery = page.mastery
    return render(
        request,
        "mastery/topics.html",
        {
            "page": page,
            "mastery": mastery,
            "review": [(t, page.links_for(t.topic_id)) for t in mastery.review],
            "untried": [(t, page.links_for(t.id)) for t in mastery.untried],
            "topics_chart": None if mastery.empty else topics_svg(mastery),
            "weeks_chart": None if mastery.empty else weeks_svg(mastery.weeks),
            "empty_state": EMPTY_STATE,
            "nothing_to_review": NOTHING_TO_REVIEW,
            "target": rules.TARGET_PERCENT,
            "recent_days": rules.RECENT_DAYS,
            "week_count": rules.WEEKS,
        },
    )
