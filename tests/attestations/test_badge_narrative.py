"""The credential's criteria narrative names observed practice and attestations (pure)."""

from quizzes.credentials.badge import criteria_narrative


def test_narrative_names_checklists_and_statements():
    narrative = criteria_narrative(
        lesson_titles=["Why it bleeds"],
        quiz_titles=["Final"],
        checklist_titles=["Observed practice"],
        statement_titles=["Bleeding management protocol"],
    )
    assert narrative == (
        "Completed the lessons: Why it bleeds. Passed the graded quizzes: Final. "
        "Observed in practice and signed off by an assessor: Observed practice. "
        "Signed the attestations: Bleeding management protocol."
    )


def test_narrative_without_them_is_unchanged():
    assert criteria_narrative(lesson_titles=["A"], quiz_titles=[]) == "Completed the lessons: A."
