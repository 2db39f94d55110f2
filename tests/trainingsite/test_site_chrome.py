"""The shared page chrome: role links and static addresses worked out once, never wrong.

`trainingsite/templatetags/site_chrome.py` remembers reversed URLs and static
file addresses per process; these tests pin what each role's navigation holds
and that a changed script prefix or static setting is never answered from memory.
"""

import re

import pytest
from django.template import Context, Template
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse, set_script_prefix

pytestmark = pytest.mark.django_db

NAV_LINK = re.compile(r'<a class="nav-link" href="([^"]+)">([^<]+)</a>')
TRAINEE_LINKS = [
    ("trainee_home", "My training"),
    ("cpd:record", "CPD record"),
    ("attestations:mine", "Attestations"),
    ("lessons:index", "Lessons"),
    ("quizzes:index", "Quizzes"),
]
EDUCATOR_LINKS = [("educator_home", "Authoring"), ("admin:index", "Admin")]
MANAGER_LINKS = [("manager_home", "Reports")]
ASSESSOR_LINKS = [("observations:home", "Assessment"), ("marking:queue", "Marking")]


def role_links(client, user):
    client.force_login(user)
    html = client.get(reverse("lessons:index")).content.decode()
    nav = html.split('data-testid="role-nav">', 1)[1].split("</ul>", 1)[0]
    return NAV_LINK.findall(nav)


def expected(*groups):
    return [(reverse(name), text) for group in groups for name, text in group]


@pytest.mark.parametrize(
    "persona, groups",
    [
        ("trainee", [TRAINEE_LINKS]),
        ("educator", [EDUCATOR_LINKS]),
        ("manager", [MANAGER_LINKS]),
        ("assessor", [ASSESSOR_LINKS]),
        ("superuser", [EDUCATOR_LINKS, MANAGER_LINKS, ASSESSOR_LINKS]),
    ],
)
def test_each_role_sees_its_own_links_in_order(client, request, persona, groups):
    assert role_links(client, request.getfixturevalue(persona)) == expected(*groups)


def test_signed_out_pages_show_no_role_links(client):
    html = client.get(reverse("login")).content.decode()
    nav = html.split('data-testid="role-nav">', 1)[1].split("</ul>", 1)[0]
    assert NAV_LINK.findall(nav) == []
    assert f'href="{reverse("login")}">Log in</a>' in html


def test_a_script_prefix_is_never_answered_from_memory():
    template = Template("{% load site_chrome %}{% fixed_url 'lessons:index' %}|{% role_nav %}")
    context = Context({"is_trainee": True})
    assert template.render(context).startswith("/lessons/|")
    set_script_prefix("/training/")
    try:
        rendered = template.render(context)
    finally:
        set_script_prefix("/")
    assert rendered.startswith("/training/lessons/|")
    assert 'href="/training/lessons/">Lessons</a>' in rendered
    assert template.render(context).startswith("/lessons/|")


def test_a_changed_static_setting_is_never_answered_from_memory():
    template = Template("{% load site_chrome %}{% fixed_static 'css/site.css' %}")
    assert template.render(Context()) == static("css/site.css")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert template.render(Context()) == "/elsewhere/css/site.css"
    assert template.render(Context()) == static("css/site.css")
