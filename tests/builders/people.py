"""Builders for people: users with a known password, in one of the four roles."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from trainingsite.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def make_trainee(**kwargs):
    return UserFactory(role=Role.TRAINEE, **kwargs)


def make_educator(**kwargs):
    return UserFactory(role=Role.EDUCATOR, is_staff=True, **kwargs)


def make_manager(**kwargs):
    return UserFactory(role=Role.MANAGER, **kwargs)


def make_assessor(**kwargs):
    return UserFactory(role=Role.ASSESSOR, **kwargs)
