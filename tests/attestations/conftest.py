import pytest

from tests.builders.certification import assign, make_program
from tests.builders.competence import make_statement


@pytest.fixture
def program(db):
    return make_program(slug="foundation", lessons=0, quizzes=0)


@pytest.fixture
def statement(program):
    return make_statement(slug="protocol", programs=[program], text="I will follow the protocol.")


@pytest.fixture
def assigned(trainee, program):
    return assign(trainee, program)
