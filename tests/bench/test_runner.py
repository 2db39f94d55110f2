"""The runner's arithmetic: measurement windows, percentiles, ratios and target verdicts."""

from bench.run import STEPS, Step, evaluate, format_table, percentile, summarise


def record(name, start, ms, status=200, error=None, queries=5):
    return [name, start, ms, status, error, queries]


def raw(records, start=100.0, end=110.0, setup_errors=()):
    return {
        "notes": {
            "window_start": start,
            "window_end": end,
            "setup_errors": list(setup_errors),
            "expected": [],
        },
        "records": records,
    }


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([7.0], 0.95) == 7.0


def test_only_requests_inside_the_window_are_measured():
    step = Step("floor", "Floor page", ["floor"], "reference")
    row = summarise(
        step,
        raw(
            [
                record("login", 99.0, 400.0),
                record("floor", 99.5, 999.0),  # before the window opened
                *[record("floor", 100.0 + i / 10, 10.0 + i) for i in range(50)],
            ]
        ),
    )
    assert row["requests"] == 50
    assert row["rps"] == 5.0
    assert row["p50_ms"] == 34.0
    assert row["p95_ms"] == 57.0
    assert row["errors"] == 0
    assert row["login_ms"] == [400.0]
    assert row["queries_mean"] == 5


def test_errors_count_wherever_they_happen():
    step = Step("lesson", "Lesson", ["lesson"], "read")
    row = summarise(
        step,
        raw(
            [record("login", 99.0, 400.0, 200, "expected 302, got 200"), record("lesson", 101, 9)],
            setup_errors=["user 3: RuntimeError('no CSRF token')"],
        ),
    )
    assert row["errors"] == 2


def _row(key, group, rps, p95=50.0, errors=0):
    return {
        "key": key,
        "label": key,
        "users": 10,
        "group": group,
        "rps": rps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "errors": errors,
        "queries_mean": 5,
        "queries_min": 5,
        "queries_max": 5,
    }


def test_targets_are_ratios_to_the_floor_page_of_the_same_run():
    rows = [
        _row("bare", "reference", 1000.0),
        _row("floor", "reference", 200.0),
        _row("lesson", "read", 130.0, p95=59.0),
        _row("quiz_page", "read", 129.0, p95=20.0),
        _row("slow_read", "read", 150.0, p95=60.0),
        _row("autosave", "write", 130.0),
        _row("quiz_flow", "flow", 70.0),
        _row("start", "part", 79.0),
        _row("overview", "manager", 5.0, p95=399.0),
        _row("table", "manager", 5.0, p95=401.0),
    ]
    evaluate(rows)
    verdicts = {row["key"]: row["passed"] for row in rows}
    assert verdicts == {
        "bare": None,
        "floor": None,
        "lesson": True,
        "quiz_page": False,
        "slow_read": False,
        "autosave": True,
        "quiz_flow": True,
        "start": False,
        "overview": True,
        "table": False,
    }
    assert rows[2]["vs_bare"] == 0.13
    assert rows[2]["vs_floor"] == 0.65
    assert rows[2]["target"] == ">= 65% of floor; p95 < 60 ms; no errors"
    assert rows[6]["target"] == ">= 35% of floor; no errors"
    assert rows[7]["target"] == ">= 40% of floor; no errors"


def test_the_integration_steps_have_their_own_targets():
    rows = [
        _row("floor", "reference", 200.0),
        _row("api_fast", "api", 5.0, p95=299.0),
        _row("api_slow", "api", 5.0, p95=301.0),
        _row("lookup_enough", "lookup", 80.0),
        _row("lookup_short", "lookup", 79.0),
    ]
    evaluate(rows)
    verdicts = {row["key"]: row["passed"] for row in rows}
    assert verdicts == {
        "floor": None,
        "api_fast": True,
        "api_slow": False,
        "lookup_enough": True,
        "lookup_short": False,
    }
    assert rows[1]["target"] == "p95 < 300 ms; no errors"
    assert rows[3]["target"] == ">= 40% of floor; no errors"


def test_any_error_fails_the_target():
    rows = [_row("floor", "reference", 200.0), _row("lesson", "read", 200.0, errors=1)]
    evaluate(rows)
    assert rows[1]["passed"] is False


def test_table_has_one_line_per_step():
    rows = [_row("bare", "reference", 1000.0), _row("floor", "reference", 200.0)]
    evaluate(rows)
    table = format_table({"steps": rows})
    assert table.splitlines()[0].startswith("| Step | users | rps | p50 ms | p95 ms | errors |")
    assert table.splitlines()[3] == (
        "| floor | 10 | 200 | 25.0 | 50.0 | 0 | 5 | 0.20 | 1.00 | - | - |"
    )


def test_every_step_names_what_it_measures():
    keys = [step.key for step in STEPS]
    assert keys[:2] == ["bare", "floor"]
    assert len(set(keys)) == len(keys)
    assert {step.group for step in STEPS} == {
        "reference",
        "read",
        "write",
        "flow",
        "manager",
        "api",
        "lookup",
        "quiz",
    }


def test_the_whole_quiz_counts_quizzes_and_its_ratio_is_quizzes_over_floor_requests():
    step = next(step for step in STEPS if step.key == "whole_quiz")
    names = ["start", "page", *["save"] * 10, "submit", "result"]
    records = [
        record(f"whole quiz: {name}", 100.0 + quiz + i / 100, 10.0)
        for quiz in range(4)
        for i, name in enumerate(names)
    ]
    records.append(record("whole quiz: start", 104.5, 10.0))  # a quiz still under way
    row = summarise(step, raw(records, start=100.0, end=110.0))
    assert (row["quizzes"], row["quizzes_per_s"], row["requests_per_quiz"]) == (4, 0.4, 14.2)
    rows = [_row("floor", "reference", 10.0), {**row, "rps": row["rps"]}]
    evaluate(rows)
    assert rows[1]["vs_floor"] == 0.04
    assert rows[1]["passed"] is False
    assert rows[1]["target"] == "quizzes/s >= 0.055 of floor rps; no errors"
    rows = [_row("floor", "reference", 7.0), {**row}]
    evaluate(rows)
    assert rows[1]["vs_floor"] == 0.057
    assert rows[1]["passed"] is True
