"""A malformed id in an admin relation field is a form error, never a 500.

Before the fix, an autocomplete field re-rendered its bound form by filtering
the related table by the raw value ("abc": ValueError), and an id past the
column's range failed a many-to-many field's `__in` check on SQLite.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.forms import ModelMultipleChoiceField
from django.test import RequestFactory

from tests.builders import make_manager, make_program, make_question, make_topic, quiz_admin_form
from trainingsite.admin_relations import (
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    SafeModelMultipleChoiceField,
)

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "1.5", "9" * 25, "0x10", "1e3"]
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def _cohort_add(**fields):
    data = {
        "name": "Evening clinic",
        "slug": "evening-clinic",
        "cohort_programs-TOTAL_FORMS": "1",
        "cohort_programs-INITIAL_FORMS": "0",
        "cohort_programs-0-program": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def _quiz_add(**fields):
    empty_pool_row = {"pool-TOTAL_FORMS": "1", "pool-0-order": "0", "pool-0-question": ""}
    return quiz_admin_form(
        title="Night quiz",
        slug="night-quiz",
        topic=str(make_topic("night").pk),
        topic_minimum_percent="0",
        **{**empty_pool_row, **fields},
    )


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_manager_id_on_the_cohort_form_is_a_form_error(client, superuser, bad):
    client.force_login(superuser)
    response = client.post("/admin/quizzes/cohort/add/", _cohort_add(managers=bad))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "managers" in errors


def test_a_bad_manager_among_good_ones_keeps_the_good_ones_shown(client, superuser):
    maya = make_manager(username="maya-b", first_name="Maya", last_name="B")
    client.force_login(superuser)
    response = client.post("/admin/quizzes/cohort/add/", _cohort_add(managers=[str(maya.pk), "x"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<option value="{maya.pk}" selected>' in body


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_program_id_in_the_cohort_inline_is_a_form_error(client, superuser, bad):
    client.force_login(superuser)
    response = client.post(
        "/admin/quizzes/cohort/add/", _cohort_add(**{"cohort_programs-0-program": bad})
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["program"] == [INVALID_CHOICE]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_question_id_in_the_quiz_pool_is_a_form_error(client, superuser, bad):
    client.force_login(superuser)
    response = client.post("/admin/quizzes/quiz/add/", _quiz_add(**{"pool-0-question": bad}))
    assert response.status_code == 200
    pool = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "pool"
    )
    assert pool.forms[0].errors["question"] == [INVALID_CHOICE]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_in_a_plain_many_to_many_field_is_a_form_error(client, superuser, bad):
    client.force_login(superuser)
    response = client.post(
        "/admin/quizzes/program/add/",
        {"name": "P", "slug": "p", "validity_months": "24", "required_lessons": bad},
    )
    assert response.status_code == 200
    assert "required_lessons" in response.context["adminform"].form.errors


def test_a_good_question_id_still_saves_the_pool(client, superuser):
    question = make_question("pool-good")
    client.force_login(superuser)
    response = client.post(
        "/admin/quizzes/quiz/add/", _quiz_add(**{"pool-0-question": str(question.pk)})
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_a_good_program_id_still_saves(client, superuser):
    program = make_program(lessons=0, quizzes=0)
    client.force_login(superuser)
    response = client.post(
        "/admin/quizzes/cohort/add/", _cohort_add(**{"cohort_programs-0-program": str(program.pk)})
    )
    assert response.status_code == 302


def _relation_fields(form_class):
    for name, field in form_class.base_fields.items():
        widget = field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        yield name, field, widget


def _admin_forms(request):
    for model, model_admin in admin.site._registry.items():
        yield model_admin, model_admin.get_form(request, obj=None, change=False)
        if model_admin.get_fieldsets(request, obj=model()) != model_admin.get_fieldsets(request):
            yield model_admin, model_admin.get_form(request, obj=model(), change=True)
        for inline in model_admin.get_inline_instances(request):
            yield inline, inline.get_formset(request).form


def test_every_admin_relation_field_uses_the_safe_widgets(superuser):
    """One fix for every admin: a new autocomplete or many-to-many field must use it too."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    unsafe = []
    for owner, form_class in _admin_forms(request):
        for name, field, widget in _relation_fields(form_class):
            if isinstance(widget, AutocompleteMixin) and not isinstance(
                widget, SafeAutocompleteSelect | SafeAutocompleteSelectMultiple
            ):
                unsafe.append((type(owner).__name__, name, "widget"))
            if isinstance(field, ModelMultipleChoiceField) and not isinstance(
                field, SafeModelMultipleChoiceField
            ):
                unsafe.append((type(owner).__name__, name, "field"))
    assert sorted(set(unsafe)) == []
