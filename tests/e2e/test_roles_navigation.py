import pytest
from django.conf import settings

from tests.e2e.conftest import log_in
from trainingsite.demo import demo_accounts_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_NAV = {
    "trainee": (["My training", "Lessons", "Quizzes"], ["Admin", "Reports"]),
    "educator": (["Authoring", "Admin"], ["Reports", "My training"]),
    "manager": (["Reports"], ["Admin", "Authoring", "My training"]),
    "admin": (["Authoring", "Admin", "Reports"], ["My training"]),
}


@pytest.mark.parametrize("username", list(EXPECTED_NAV))
def test_each_demo_account_logs_in_and_sees_its_navigation(page, username):
    demo_accounts_ensure()
    log_in(page, username, settings.DEMO_PASSWORD)
    nav = page.get_by_test_id("role-nav")
    shown, hidden = EXPECTED_NAV[username]
    for label in shown:
        assert nav.get_by_role("link", name=label, exact=True).is_visible(), label
    for label in hidden:
        assert nav.get_by_role("link", name=label, exact=True).count() == 0, label
