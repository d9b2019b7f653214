"""Timeline and concurrency chart: segments per outcome, hover text, scale, limits."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from widget_scenario import scenario, two_functions_with_pc

from lambdakit import Fixed, Platform, Poisson
from widgets.concurrency import concurrency_chart
from widgets.timeline import BAR_LIMIT, Timeline, segment_counts, timeline


def _traces(fig: go.Figure) -> dict[str, go.Bar | go.Scattergl]:
    return {tr.meta["kind"]: tr for tr in fig.data if isinstance(tr.meta, dict)}


def _drawn_segments(tr: go.Bar | go.Scattergl) -> int:
    if tr.type == "bar":
        return len(tr.x)
    return int(np.isnan(np.asarray(tr.x, dtype=float)).sum())  # one gap after each segment


def test_segments_per_outcome_match_the_records() -> None:
    p = scenario()
    df = p.records("api").to_dataframe()
    fig = timeline(p, "api")
    counts = segment_counts(fig)
    assert counts == {"init": int(df.cold.sum()), "ok": int((df.outcome == "ok").sum()),
                      "error": 1, "timeout": 1}
    assert counts == {"init": 4, "ok": 6, "error": 1, "timeout": 1}
    traces = _traces(fig)
    for kind, n in counts.items():
        assert traces[kind].type == "bar" and _drawn_segments(traces[kind]) == n
    throttled = traces["throttled"]
    assert list(throttled.y) == [-1.0] and len(throttled.x) == 1


def test_segment_geometry_follows_the_records() -> None:
    p = scenario()
    df = p.records("api").to_dataframe()
    traces = _traces(timeline(p, "api"))
    cold = df[df.cold]
    init = traces["init"]
    assert np.allclose(sorted(init.base), sorted(cold.start_s))
    assert np.allclose(sorted(init.x), sorted(cold.init_ms / 1000))
    timeout = df[df.outcome == "timeout"].iloc[0]
    bar = traces["timeout"]
    assert bar.x[0] == pytest.approx(3.0)  # cut at the 3 s timeout
    assert bar.base[0] + bar.x[0] == pytest.approx(timeout.end_s)
    rows = {int(r) for tr in (traces["ok"], traces["init"]) for r in tr.y}
    assert rows == {0, 1, 2, 3}  # one row per environment


def test_hover_text_carries_request_ids_and_report_lines() -> None:
    p = scenario()
    df = p.records("api").to_dataframe()
    traces = _traces(timeline(p, "api"))
    for kind in ("ok", "error", "timeout"):
        ids = set(df[df.outcome == kind].request_id)
        texts = list(traces[kind].text)
        assert {next(i for i in ids if i in t) for t in texts} == ids
        assert all("REPORT RequestId: " in t and "Billed Duration: " in t for t in texts)
    assert "Status: timeout" in traces["timeout"].text[0]
    # an ordinary handler exception: no Status suffix, exactly as the log's REPORT (facts §1.4)
    assert "Status:" not in traces["error"].text[0]
    assert all("Init Duration: " in t for t in traces["init"].text)
    for kind in ("timeout", "error"):  # the hover shows the very REPORT line of the logs
        rid = df[df.outcome == kind].request_id.iloc[0]
        (report,) = [x for x in p.logs("api", request_id=rid).lines() if x.startswith("REPORT")]
        assert report.rstrip("\t").replace("\t", "<br>") in traces[kind].text[0]
    throttled_id = df[df.outcome == "throttled"].request_id.iloc[0]
    assert throttled_id in traces["throttled"].text[0]


def test_many_segments_use_webgl_with_hover_points() -> None:
    p = Platform(seed=2)
    p.create_function("f", lambda e, c: None, duration=Fixed(50))
    p.run(Poisson(40), function="f", duration_s=30, progress=False)
    n_ok = int((p.records("f").column("outcome") == "ok").sum())
    assert n_ok > BAR_LIMIT
    fig = timeline(p, "f")
    lines = _traces(fig)["ok"]
    assert lines.type == "scattergl" and _drawn_segments(lines) == n_ok
    hover = next(tr for tr in fig.data if tr.meta and tr.meta.get("kind") == "ok-hover")
    assert len(hover.text) == n_ok and len(set(hover.text)) == n_ok


def test_aggregates_beyond_max_bars_and_keeps_every_attempt() -> None:
    p = Platform(seed=3)
    p.create_function("f", lambda e, c: None, duration=Fixed(50))
    p.run(Poisson(100), function="f", duration_s=30, progress=False)
    fig = timeline(p, "f", max_bars=200)
    drawn = sum(segment_counts(fig).values())
    assert drawn <= 200
    ran = int((p.records("f").column("env") >= 0).sum())
    ok = _traces(fig)["ok"]
    assert ok.meta["attempts"] == ran and ok.meta["segments"] < ran
    assert "merged" in fig.layout.title.text
    assert any("attempts</b> merged" in t for t in ok.text)


def test_one_hundred_thousand_invocations_stay_small() -> None:
    p = Platform(seed=4)
    p.create_function("f", lambda e, c: None, duration=Fixed(120))
    p.run(Poisson(400), function="f", duration_s=250, progress=False)
    assert len(p.records("f")) > 95_000
    fig = timeline(p, "f")  # how fast: bench/timeline.py
    assert sum(segment_counts(fig).values()) <= 5000
    assert len(fig.to_json()) < 3_000_000


def test_bad_max_bars_is_rejected() -> None:
    p = scenario()
    with pytest.raises(ValueError, match="max_bars"):
        timeline(p, "api", max_bars=0)


def test_timeline_widget_refreshes() -> None:
    p = scenario()
    widget = Timeline(p, "api")
    assert isinstance(widget, go.FigureWidget)
    before = segment_counts(widget)
    p.advance(1)
    p.invoke("api", {"fail": True})
    widget.refresh()
    after = segment_counts(widget)
    assert after["error"] == before["error"] + 1 and after["ok"] == before["ok"]


def test_concurrency_chart_max_and_limits() -> None:
    p = scenario()
    m = p.metrics("api")
    fig = concurrency_chart(p, "api")
    steps = _traces(fig)["concurrency"]
    assert max(steps.y) == m.max_concurrency == 2
    limits = {tr.name: tr.y[0] for tr in fig.data if tr.meta["kind"] == "limit"}
    assert limits == {"account limit (1,000)": 1000, "reserved (2)": 2}
    bars = _traces(fig)["throttles"]
    assert sum(bars.y) * bars.meta["bin_s"] == m.throttles == 1
    # the far-away account limit does not flatten the line; the chart says where it is
    assert fig.layout.yaxis.range == (0, 3.5)
    assert "account limit 1,000 ↑" in fig.layout.annotations[0].text


def test_concurrency_envelope_keeps_the_peak() -> None:
    p = Platform(seed=6)
    p.create_function("f", lambda e, c: None, duration=Fixed(300))
    p.run(Poisson(50), function="f", duration_s=60, progress=False)
    m = p.metrics("f")
    fig = concurrency_chart(p, "f", max_points=200)
    steps = _traces(fig)["concurrency"]
    assert steps.meta["envelope"] is True and len(steps.x) <= 200
    assert max(steps.y) == m.max_concurrency
    assert fig.data[0].x[0] == 0 and np.all(np.diff(np.asarray(steps.x)) > 0)
    assert [tr.name for tr in fig.data if tr.meta["kind"] == "limit"] == [
        "account limit (1,000)"]


def test_all_functions_and_provisioned_init() -> None:
    p = two_functions_with_pc()
    p.invoke("b", {}, qualifier="1")  # served by a provisioned environment: no cold start
    fig = timeline(p)
    assert segment_counts(fig) == {"init": 3, "ok": 2}  # a's cold start + 2 provisioned inits
    texts = list(_traces(fig)["init"].text)
    assert sum("provisioned concurrency init" in t for t in texts) == 2
    assert list(fig.layout.yaxis.ticktext) == ["b · env 0", "b · env 1", "a · env 2"]
    assert p.records("b")[0].cold is False
