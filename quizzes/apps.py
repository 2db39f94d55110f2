from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"

    def ready(self) -> None:
        from quizzes.models import Choice, Question, Quiz, QuizQuestion
        from trainingsite.content_cache import content_cache_watch

        content_cache_watch(Quiz, QuizQuestion, Question, Choice)
