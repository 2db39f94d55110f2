"""Draft/published status shared by lessons, quizzes and programs."""

from django.db import models


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    """Filters for models with a `status` of PublicationStatus and a unique `slug`."""

    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)
