import pytest

from bench import settings as bench_settings


@pytest.fixture
def bench_site(settings):
    """Serve the benchmark's URLs through its middleware and templates."""
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.MIDDLEWARE = bench_settings.MIDDLEWARE
    settings.TEMPLATES = bench_settings.TEMPLATES
    return settings
