from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"

    def ready(self) -> None:
        # Connect certification's signal receivers (Django's documented place for it).
        from quizzes.api import receivers as api_receivers  # noqa: F401
        from quizzes.certification import receivers  # noqa: F401
        from quizzes.models import Choice, Question, Quiz, QuizBlueprintRow, QuizQuestion
        from quizzes.spaced_review import receivers as review_receivers  # noqa: F401
        from quizzes.updates import receivers as update_receivers  # noqa: F401
        from quizzes.webhooks import receivers as webhook_receivers  # noqa: F401
        from quizzes.xapi import receivers as xapi_receivers  # noqa: F401
        from trainingsite.content_cache import content_cache_watch

        content_cache_watch(Quiz, QuizQuestion, QuizBlueprintRow, Question, Choice)
