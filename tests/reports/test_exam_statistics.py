"""Reliability, discrimination bands, facility flags and discriminative efficiency (no database).

Every expected value is computed by hand in the comment beside it.
"""

import pytest

from quizzes.reports.item_analysis import (
    ALPHA,
    ANALYSIS_GUIDANCE,
    BAND_EXCELLENT,
    BAND_GOOD,
    BAND_LABELS,
    BAND_NEGATIVE,
    BAND_POOR,
    BAND_REVISE,
    FLAG_LABELS,
    FLAG_NEGATIVE,
    FLAG_POOR,
    FLAG_REVISE,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    KR20,
    RELIABILITY_ACCEPTABLE,
    RELIABILITY_GUIDANCE,
    RELIABILITY_SATISFACTORY,
    RELIABILITY_UNSATISFACTORY,
    ItemSums,
    discrimination_band,
    discriminative_efficiency,
    facility_flags,
    item_statistics,
    max_discrimination,
    reliability_band,
    reliability_from_matrix,
    reliability_from_sums,
)

# --- Reliability -------------------------------------------------------------

# Four attempts, three one-point items:
#   attempt  q1 q2 q3  total
#   A         1  1  1    3
#   B         1  1  0    2
#   C         1  0  0    1
#   D         0  0  0    0
# p = 0.75, 0.50, 0.25; p*q = 0.1875 + 0.25 + 0.1875 = 0.625.
# Totals 3, 2, 1, 0: mean 1.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
# KR-20 = 3/2 * (1 - 0.625 / 1.25) = 1.5 * 0.5 = 0.75.
DICHOTOMOUS = [
    {1: 1, 2: 1, 3: 1},
    {1: 1, 2: 1, 3: 0},
    {1: 1, 2: 0, 3: 0},
    {1: 0, 2: 0, 3: 0},
]


def test_kr20_on_a_hand_computed_matrix():
    result = reliability_from_matrix(DICHOTOMOUS, dict.fromkeys([1, 2, 3], 1.0))
    assert result.method == KR20
    assert result.coefficient == pytest.approx(0.75)
    assert result.items_per_attempt == 3
    assert result.band == RELIABILITY_SATISFACTORY


def test_kr20_does_not_depend_on_the_items_points():
    # The same right/wrong pattern on two-point items: fractions are unchanged.
    doubled = [{q: 2 * v for q, v in row.items()} for row in DICHOTOMOUS]
    result = reliability_from_matrix(doubled, dict.fromkeys([1, 2, 3], 2.0))
    assert result.method == KR20
    assert result.coefficient == pytest.approx(0.75)


def test_cronbach_alpha_with_partial_credit_on_a_hand_computed_matrix():
    # q1 is worth 2 points: 2, 1, 0 -> fractions 1, 0.5, 0 (mean 0.5, variance 1/6).
    # q2 is worth 1 point: fractions 1, 0.5, 0.5 (mean 2/3, variance (1/9 + 2/36) / 3 = 1/18).
    # Totals of fractions 2, 1, 0.5: mean 7/6, variance (25 + 1 + 16) / 36 / 3 = 7/18.
    # alpha = 2/1 * (1 - (1/6 + 1/18) / (7/18)) = 2 * (1 - 4/7) = 6/7.
    rows = [{1: 2, 2: 1}, {1: 1, 2: 0.5}, {1: 0, 2: 0.5}]
    result = reliability_from_matrix(rows, {1: 2.0, 2: 1.0})
    assert result.method == ALPHA
    assert result.coefficient == pytest.approx(6 / 7)


def test_reliability_from_sums_matches_the_matrix():
    # The sums the SQL selector passes for the dichotomous matrix above.
    items = [
        ItemSums(question_id=1, max_points=1, n=4, sum_x=3, sum_x2=3),
        ItemSums(question_id=2, max_points=1, n=4, sum_x=2, sum_x2=2),
        ItemSums(question_id=3, max_points=1, n=4, sum_x=1, sum_x2=1),
    ]
    result = reliability_from_sums(items=items, attempts=4, sum_total=6, sum_total2=14)
    assert result.coefficient == pytest.approx(0.75)


@pytest.mark.parametrize(
    "rows",
    [
        [{1: 1, 2: 0}],  # one attempt
        [{1: 1}, {1: 0}, {1: 1}],  # one item
        [{1: 1, 2: 0}, {1: 0, 2: 1}],  # totals 1 and 1: no variance
        [],
    ],
)
def test_reliability_is_none_when_undefined(rows):
    assert reliability_from_matrix(rows, {1: 1.0, 2: 1.0}) is None


def test_reliability_can_be_negative_and_is_then_unsatisfactory():
    # q1 = 1,0 and q2 = 0,1... plus a third attempt: totals 1, 1, 2 -> variance 2/9.
    # p = 2/3 and 2/3: p*q sum 4/9; alpha = 2 * (1 - (4/9) / (2/9)) = -2.
    rows = [{1: 1, 2: 0}, {1: 0, 2: 1}, {1: 1, 2: 1}]
    result = reliability_from_matrix(rows, {1: 1.0, 2: 1.0})
    assert result.coefficient == pytest.approx(-2.0)
    assert result.band == RELIABILITY_UNSATISFACTORY


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.63, RELIABILITY_UNSATISFACTORY),
        (0.634, RELIABILITY_UNSATISFACTORY),
        (0.635, RELIABILITY_ACCEPTABLE),  # shown as 0.64
        (0.64, RELIABILITY_ACCEPTABLE),
        (0.74, RELIABILITY_ACCEPTABLE),
        (0.745, RELIABILITY_SATISFACTORY),  # shown as 0.75
        (0.75, RELIABILITY_SATISFACTORY),
        (1.0, RELIABILITY_SATISFACTORY),
        (None, None),
    ],
)
def test_reliability_bands_at_the_boundaries(value, band):
    assert reliability_band(value) == band


def test_reliability_guidance_is_the_issue_wording():
    assert RELIABILITY_GUIDANCE == "below 0.64 unsatisfactory, 0.75 and above satisfactory"


# --- Discrimination bands ----------------------------------------------------


@pytest.mark.parametrize(
    ("index", "band"),
    [
        (1.0, BAND_EXCELLENT),
        (0.40, BAND_EXCELLENT),
        (0.395, BAND_EXCELLENT),  # shown as 0.40
        (0.39, BAND_GOOD),
        (0.30, BAND_GOOD),
        (0.7 - 0.4, BAND_GOOD),  # 0.29999999999999993 in floating point, shown as 0.30
        (0.29, BAND_REVISE),
        (0.20, BAND_REVISE),
        (0.19, BAND_POOR),
        (0.0, BAND_POOR),
        (-0.004, BAND_POOR),  # shown as 0.00 (-0.00)
        (-0.01, BAND_NEGATIVE),
        (-1.0, BAND_NEGATIVE),
        (None, None),
    ],
)
def test_discrimination_bands_at_each_boundary(index, band):
    assert discrimination_band(index) == band


def test_band_labels_name_the_ranges():
    assert BAND_LABELS == {
        BAND_EXCELLENT: "Excellent (0.40 and above)",
        BAND_GOOD: "Good (0.30–0.39)",
        BAND_REVISE: "Needs revision (0.20–0.29)",
        BAND_POOR: "Poor (below 0.20)",
        BAND_NEGATIVE: "Negative: check the key",
    }


def test_an_index_shown_as_030_is_good_and_not_flagged_even_with_a_weak_point_biserial():
    # The reported bug: "Weak discrimination (below 0.2)" beside a discrimination of 0.30.
    # D = 7/10 - 4/10 (0.30 as shown); the point-biserial of these sums is about 0.10.
    # var_x = 40*22 - 22^2 = 396, var_y = 40*4400 - 400^2 = 16000,
    # cov = 40*226.3 - 22*400 = 252 -> r = 252 / sqrt(396 * 16000) = 0.100.
    sums = ItemSums(
        question_id=1,
        max_points=1,
        n=40,
        sum_x=22,
        sum_x2=22,
        sum_y=400,
        sum_y2=4400,
        sum_xy=226.3,
        upper_n=10,
        upper_sum_x=7,
        lower_n=10,
        lower_sum_x=4,
    )
    stats = item_statistics(sums)
    assert stats.point_biserial == pytest.approx(0.1001, abs=1e-4)
    assert f"{stats.discrimination:.2f}" == "0.30"
    assert stats.band == BAND_GOOD
    assert stats.flags == ()


@pytest.mark.parametrize(
    ("upper", "lower", "flag"),
    [(5, 3, FLAG_REVISE), (4, 3, FLAG_POOR), (3, 4, FLAG_NEGATIVE)],
)
def test_weak_bands_raise_the_flag_of_their_band(upper, lower, flag):
    # Groups of 10: D = 0.2, 0.1, -0.1.
    sums = ItemSums(
        question_id=1,
        max_points=1,
        n=40,
        sum_x=20,
        sum_x2=20,
        upper_n=10,
        upper_sum_x=upper,
        lower_n=10,
        lower_sum_x=lower,
    )
    assert item_statistics(sums).flags == (flag,)


def test_flag_labels_state_the_thresholds_they_test():
    assert FLAG_LABELS[FLAG_TOO_HARD] == "Too hard (facility below 0.20)"
    assert FLAG_LABELS[FLAG_TOO_EASY] == "Too easy (facility above 0.90)"
    assert FLAG_LABELS[FLAG_POOR] == "Poor discrimination index (below 0.20)"
    assert FLAG_LABELS[FLAG_REVISE] == "Discrimination index needs revision (0.20–0.29)"
    assert "check the key" in FLAG_LABELS[FLAG_NEGATIVE]


# --- Facility flags ----------------------------------------------------------


@pytest.mark.parametrize(
    ("facility", "flags"),
    [
        (0.0, (FLAG_TOO_HARD,)),
        (0.19, (FLAG_TOO_HARD,)),
        (0.194, (FLAG_TOO_HARD,)),
        (0.195, ()),  # shown as 0.20
        (0.20, ()),
        (0.30, ()),  # flagged before this change (threshold 0.3)
        (0.90, ()),
        (0.904, ()),
        (0.905, (FLAG_TOO_EASY,)),  # shown as 0.91
        (0.91, (FLAG_TOO_EASY,)),
        (1.0, (FLAG_TOO_EASY,)),
        (None, ()),
    ],
)
def test_facility_flags_at_the_boundaries(facility, flags):
    assert facility_flags(facility) == flags


def test_the_page_guidance_uses_the_same_thresholds():
    assert "below 0.20 or above 0.90" in ANALYSIS_GUIDANCE
    assert "discrimination index below 0.20" in ANALYSIS_GUIDANCE
    assert "0.3 " not in ANALYSIS_GUIDANCE and "0.9 " not in ANALYSIS_GUIDANCE


# --- Discriminative efficiency -----------------------------------------------


def test_discriminative_efficiency_on_a_hand_case():
    # 10 responses, groups of 3, facility 0.2: 2 right answers in all.
    # At best both are in the upper group (2/3) and none in the lower (0): D_max = 2/3.
    # Observed: 1 of 3 right in the upper group, 0 in the lower: D = 1/3 -> 50%.
    assert max_discrimination(facility=0.2, n=10, upper_n=3, lower_n=3) == pytest.approx(2 / 3)
    sums = ItemSums(
        question_id=1,
        max_points=1,
        n=10,
        sum_x=2,
        sum_x2=2,
        upper_n=3,
        upper_sum_x=1,
        lower_n=3,
        lower_sum_x=0,
    )
    stats = item_statistics(sums)
    assert stats.discrimination == pytest.approx(1 / 3)
    assert stats.discriminative_efficiency == pytest.approx(50.0)


def test_discriminative_efficiency_of_an_easy_item_is_judged_against_its_small_maximum():
    # Facility 0.9: 9 right of 10. The upper group is all right (1); at least
    # 9 - 7 = 2 right answers must fall in the lower group (2/3): D_max = 1/3.
    # Observed D = 3/3 - 2/3 = 1/3: as good as this facility allows, 100%.
    assert max_discrimination(facility=0.9, n=10, upper_n=3, lower_n=3) == pytest.approx(1 / 3)
    assert discriminative_efficiency(
        index=1 / 3, facility=0.9, n=10, upper_n=3, lower_n=3
    ) == pytest.approx(100.0)


@pytest.mark.parametrize("facility", [0.0, 1.0, None])
def test_discriminative_efficiency_is_none_when_no_discrimination_is_possible(facility):
    assert (
        discriminative_efficiency(index=0.0, facility=facility, n=10, upper_n=3, lower_n=3) is None
    )
