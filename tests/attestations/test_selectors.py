"""The trainee's statements and their state; the statement page's access helper."""

import pytest
from django.http import Http404

from quizzes.attestations.selectors import (
    NEVER_SIGNED,
    OLDER_VERSION,
    SIGNED,
    STATEMENT_NOT_FOUND,
    statement_get_or_404,
    statements_for_trainee,
)
from quizzes.attestations.services import statement_save
from tests.builders.certification import assign, make_program
from tests.builders.competence import attest, make_statement

pytestmark = pytest.mark.django_db


def test_a_program_not_begun_shows_no_statement(trainee, statement):
    assert statements_for_trainee(user=trainee) == []


def test_never_signed(trainee, statement, assigned):
    [item] = statements_for_trainee(user=trainee)
    assert (item.statement, item.state, item.current) == (statement, NEVER_SIGNED, None)
    assert item.programs == ["Program foundation"]


def test_signed_the_current_version(trainee, statement, assigned):
    attestation = attest(trainee, statement)
    [item] = statements_for_trainee(user=trainee)
    assert (item.state, item.current) == (SIGNED, attestation)


def test_signed_an_older_version(trainee, statement, assigned):
    old = attest(trainee, statement)
    statement_save(statement=statement, text="New words.", title=statement.title)
    [item] = statements_for_trainee(user=trainee)
    assert (item.state, item.current, item.latest) == (OLDER_VERSION, None, old)


def test_draft_program_statements_are_not_listed(trainee):
    draft = make_program(slug="draft", lessons=0, quizzes=0, status="draft")
    make_statement(slug="draft-statement", programs=[draft])
    assert statements_for_trainee(user=trainee) == []


def test_query_count_is_flat(trainee, django_assert_max_num_queries):
    for i in range(5):
        program = make_program(slug=f"p{i}", lessons=0, quizzes=0)
        assign(trainee, program)
        statement = make_statement(slug=f"s{i}", programs=[program])
        attest(trainee, statement)
    with django_assert_max_num_queries(16):
        assert len(statements_for_trainee(user=trainee)) == 5


def test_statement_page_needs_a_published_program(statement):
    assert statement_get_or_404(slug="protocol") == statement
    draft = make_program(slug="draft", lessons=0, quizzes=0, status="draft")
    make_statement(slug="orphan")
    make_statement(slug="drafted", programs=[draft])
    for slug in ("orphan", "drafted", "missing"):
        with pytest.raises(Http404, match=STATEMENT_NOT_FOUND):
            statement_get_or_404(slug=slug)
