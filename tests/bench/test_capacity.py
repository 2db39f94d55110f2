"""The benchmark's cost arithmetic: start and submit rates, CPU windows, the capacity model."""

from bench import capacity
from bench.run import TWO_SERVER_STEPS, part_rows


def test_part_rates_draw_a_line_through_the_floor_and_the_flow():
    flow = {
        "rps_all": 100.0,
        "app_ms_all": 12.0,
        "by_name": {"start": {"app_ms": 12.0}, "submit": {"app_ms": 22.0}, "x": {"app_ms": 2.0}},
    }
    floor = {"rps": 500.0, "costs": {"app_ms": 2.0}}
    # 1/500 s at 2 ms, 1/100 s at 12 ms: 0.8 ms of the machine per ms in Django, 0.4 ms fixed.
    assert capacity.part_rates(flow, floor) == {"start": 100.0, "submit": 55.6, "x": 500.0}


def test_part_rates_fall_back_to_time_in_django_alone_without_a_usable_line():
    flow = {"rps_all": 100.0, "app_ms_all": 10.0, "by_name": {"submit": {"app_ms": 20.0}}}
    floor = {"rps": 500.0, "costs": {"app_ms": 10.0}}
    assert capacity.part_rates(flow, floor) == {"submit": 50.0}


def test_start_and_submit_rows_follow_from_the_flow_step():
    costs = {"app_ms": 2.0, "db_ms": 1.0, "cache_calls": 0, "cache_ms": 0}
    floor = {"key": "floor", "rps": 500.0, "costs": costs}
    by_name = {
        name: {
            "requests": 10,
            "p50_ms": 20.0,
            "p95_ms": 30.0,
            "queries": [9, 11],
            "errors": 0,
            **costs,
            "app_ms": app_ms,
        }
        for name, app_ms in (("start", 12.0), ("submit", 22.0))
    }
    flow = {
        "key": "quiz_flow",
        "users": 10,
        "seconds": 8.0,
        "flow": {"rps_all": 100.0, "app_ms_all": 12.0, "by_name": by_name},
    }
    rows = part_rows([floor, flow])
    assert [(row["key"], row["group"], row["rps"]) for row in rows] == [
        ("start", "part", 100.0),
        ("submit", "part", 55.6),
    ]
    assert rows[0]["queries_mean"] == 10
    assert rows[0]["derived_from"] == "quiz_flow"


def test_cpu_window_takes_the_samples_around_the_measured_window():
    sampler = capacity.CpuSampler.__new__(capacity.CpuSampler)
    ticks = capacity.CLOCK_TICKS
    sampler.samples = [
        (0.0, {"app": {1: 0}, "db": {}}, (0, 100)),
        (1.0, {"app": {1: ticks}, "db": {7: 0}}, (100, 200)),
        (2.0, {"app": {1: 3 * ticks}, "db": {7: ticks // 2}}, (150, 300)),
        (3.0, {"app": {1: 4 * ticks}, "db": {7: ticks}}, (300, 400)),
    ]
    window = sampler.window(1.1, 1.9)
    assert window["cpu_seconds"] == {"app": 2.0, "db": 0.5}
    assert (window["from"], window["to"], window["machine_busy"]) == (1.0, 2.0, 0.5)
    records = [["a", 1.0 + i / 10, 5.0] for i in range(10)]
    per_request = capacity.cpu_per_request(window, records)
    assert per_request["cpu_ms"] == {"app": 200.0, "db": 50.0}


def test_capacity_model_blends_reads_and_whole_quizzes():
    def row(key, app, db):
        return {
            "key": key,
            "cpu_ms": {"app": app, "db": db, "cache": 0.1, "load": 1.0},
            "costs": {"app_ms": app, "db_ms": db, "cache_calls": 2.0, "cache_ms": 0.1},
            "requests_per_quiz": 14.0,
        }

    result = capacity.model([row("two_lessons_index", 4.0, 1.0), row("two_whole_quiz", 6.0, 2.0)])
    # 6 reads and 14 quiz requests per active trainee: (6*4 + 14*6) / 20 = 5.4 ms of app CPU.
    assert result["app_cpu_ms_per_request"] == 5.4
    assert result["requests_per_s_per_app_core"] == 185.2
    assert result["requests_per_active_trainee"] == 20
    # 5,000 active trainees * 20 requests / 3600 s = 27.8 a second; 83.3 at the peak minute.
    assert result["peak_requests_per_s"] == 83.3
    assert result["app_servers_needed"] == 2


def test_the_two_server_group_repeats_the_trainee_steps():
    assert [step.drive for step in TWO_SERVER_STEPS] == [
        "floor",
        "lessons_index",
        "attempt_page",
        "autosave",
        "quiz_flow",
        "whole_quiz",
    ]
