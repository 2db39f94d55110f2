from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"

    def ready(self) -> None:
        from lessons.models import Lesson, Topic
        from trainingsite.content_cache import content_cache_watch

        content_cache_watch(Topic, Lesson)
