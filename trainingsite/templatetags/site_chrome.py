"""What every page shares (role navigation, static file addresses), worked out once per process.

The navigation's links and the static files' hashed names do not change while a
process runs, yet `{% url %}` and `{% static %}` worked them out again on every
request: two dozen look-ups, a sixth of a trainee page's template work. Here
each is computed once per URL configuration, script prefix and storage, and
forgotten when a test changes one of those settings.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The role navigation, in order: the context flag (trainingsite.context_processors.roles)
# that shows a group of links, and the links as (URL name, text).
ROLE_NAV: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "is_trainee",
        (
            ("trainee_home", "My training"),
            ("cpd:record", "CPD record"),
            ("attestations:mine", "Attestations"),
            ("lessons:index", "Lessons"),
            ("quizzes:index", "Quizzes"),
        ),
    ),
    ("is_educator", (("educator_home", "Authoring"), ("admin:index", "Admin"))),
    ("is_manager", (("manager_home", "Reports"),)),
    ("is_assessor", (("observations:home", "Assessment"), ("marking:queue", "Marking"))),
)

# The settings that change what a URL or a static file's address is.
ADDRESS_SETTINGS = {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "STATIC_URL", "STORAGES", "STATIC_ROOT"}


@lru_cache(maxsize=512)
def _url(name: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@lru_cache(maxsize=512)
def _static(path: str) -> str:
    return static(path)


@lru_cache(maxsize=64)
def _role_nav(flags: tuple[bool, ...], urlconf: str | None, prefix: str) -> str:
    items = []
    for shown, (_, links) in zip(flags, ROLE_NAV, strict=True):
        if shown:
            items.extend(
                f'<li class="nav-item"><a class="nav-link" href="{_url(name, urlconf, prefix)}">'
                f"{text}</a></li>"
                for name, text in links
            )
    return "\n                ".join(items)


@receiver(setting_changed)
def _forget_addresses(*, setting, **kwargs):
    if setting in ADDRESS_SETTINGS:
        _url.cache_clear()
        _static.cache_clear()
        _role_nav.cache_clear()


def _urlconf() -> str | None:
    return get_urlconf() or settings.ROOT_URLCONF


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% fixed_url 'home' %}`: `{% url %}` for a URL without arguments, looked up once."""
    return _url(name, _urlconf(), get_script_prefix())


@register.simple_tag
def fixed_static(path: str) -> str:
    """`{% fixed_static 'css/site.css' %}`: `{% static %}`, looked up once per file."""
    return _static(path)


@register.simple_tag(takes_context=True)
def role_nav(context) -> SafeString:
    """`{% role_nav %}`: the signed-in user's role links (the navigation's first list)."""
    flags = tuple(bool(context.get(flag)) for flag, _ in ROLE_NAV)
    return mark_safe(_role_nav(flags, _urlconf(), get_script_prefix()))
