"""Lambda's log lines, byte for byte, against the examples in lambda-facts.md §1.4–1.5."""

from __future__ import annotations

import datetime
import doctest
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdakit.observers import logformat as lf

RID = "c793869b-ee49-115b-a5b6-4fd21e8dedac"


def test_doctests() -> None:
    assert doctest.testmod(lf).failed == 0


def test_start_and_end_lines() -> None:
    assert lf.start_line(RID, "$LATEST") == f"START RequestId: {RID} Version: $LATEST"
    assert lf.start_line(RID, "7") == f"START RequestId: {RID} Version: 7"
    assert lf.end_line(RID) == f"END RequestId: {RID}"


def test_report_line_observed_2023_example() -> None:
    # [S40] raw line: tab-separated with a trailing tab
    line = lf.report_line(
        RID, duration_ms=6082.95, billed_ms=6083, memory_mb=6000, max_memory_mb=6000
    )
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 6082.95 ms\tBilled Duration: 6083 ms\t"
        "Memory Size: 6000 MB\tMax Memory Used: 6000 MB\t"
    )


def test_report_line_cold_start_has_init_duration_and_trailing_tab() -> None:
    line = lf.report_line(
        RID, duration_ms=15.74, billed_ms=16, memory_mb=128, max_memory_mb=56, init_ms=130.49
    )
    assert line.endswith("\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t")
    assert line.count("\t") == 6


def test_report_line_formats_two_decimals() -> None:
    line = lf.report_line(RID, duration_ms=3000, billed_ms=3000, memory_mb=128, max_memory_mb=9)
    assert "\tDuration: 3000.00 ms\t" in line
    assert "Init Duration" not in line


def test_report_line_failure_suffixes() -> None:
    timeout = lf.report_line(
        RID, duration_ms=3000.0, billed_ms=3084, memory_mb=128, max_memory_mb=70,
        init_ms=84.0, status="timeout",
    )
    assert timeout.endswith("\tInit Duration: 84.00 ms\tStatus: timeout")
    error = lf.report_line(
        RID, duration_ms=50.0, billed_ms=130, memory_mb=128, max_memory_mb=128,
        init_ms=80.0, status="error", error_type="Runtime.ExitError",
    )
    assert error.endswith("\tInit Duration: 80.00 ms\tStatus: error\tError Type: Runtime.ExitError")
    warm = lf.report_line(
        RID, duration_ms=1.0, billed_ms=1, memory_mb=128, max_memory_mb=128,
        status="error", error_type="Runtime.OutOfMemory",
    )
    assert warm.endswith(
        "\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory"
    )


def test_report_line_rejects_error_type_without_error_status() -> None:
    kw = dict(duration_ms=1.0, billed_ms=1, memory_mb=128, max_memory_mb=30)
    with pytest.raises(ValueError, match="status"):
        lf.report_line(RID, **kw, error_type="Runtime.ExitError")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        lf.report_line(RID, **kw, status="timeout", error_type="X")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "init", "billed"),
    [(26.73, None, 27), (3004.92, 111.23, 3117), (133.61, 80.00, 214), (15.74, None, 16),
     (61.09, 3986.50, 4048), (2.0000000001, None, 2), (1.1, 0.9, 2), (0.0, None, 0),
     (0.001, None, 1), (100.0, None, 100)],
)
def test_billed_duration(duration: float, init: float | None, billed: int) -> None:
    assert lf.billed_duration_ms(duration, init) == billed


def test_billed_duration_rejects_negative() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        lf.billed_duration_ms(-1.0)


_ms = st.floats(min_value=0, max_value=900_000, allow_nan=False, allow_infinity=False)


@given(_ms, st.none() | _ms)
def test_billed_duration_bounds(duration: float, init: float | None) -> None:
    total = duration + (init or 0.0)
    billed = lf.billed_duration_ms(duration, init)
    assert isinstance(billed, int)
    assert billed >= total - 1e-6  # within the nanosecond rounding
    assert billed < total + 1


@given(st.integers(0, 90_000_000), st.none() | st.integers(0, 1_000_000))
def test_billed_duration_exact_for_reported_values(hundredths: int, init: int | None) -> None:
    # REPORT shows 2 decimals: on those values billing is exactly the ceiling, no float slack
    duration = hundredths / 100
    init_ms = None if init is None else init / 100
    billed = lf.billed_duration_ms(duration, init_ms)
    assert billed == -(-(hundredths + (init or 0)) // 100)
    assert duration + (init_ms or 0) <= billed < duration + (init_ms or 0) + 1


def test_timeout_formats() -> None:
    assert lf.timeout_message(3) == "Task timed out after 3.00 seconds"
    assert lf.timeout_message(3.07) == "Task timed out after 3.07 seconds"
    assert (
        lf.timeout_line("2024-03-04T17:22:38.033Z", RID, 3)
        == f"2024-03-04T17:22:38.033Z {RID} Task timed out after 3.00 seconds"
    )


def test_init_start_line_shape() -> None:
    line = lf.init_start_line("python3.13", "v43", "eu-west-2")
    head, arn = line.split("\t")
    assert head == "INIT_START Runtime Version: python:3.13.v43"
    prefix = "Runtime Version ARN: arn:aws:lambda:eu-west-2::runtime:"
    assert arn.startswith(prefix)
    digest = arn[len(prefix):]
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert lf.init_start_line("python3.13", "v43", "us-east-1").endswith(digest)
    assert not lf.init_start_line("python3.12", "v43", "us-east-1").endswith(digest)


def test_init_report_lines() -> None:
    assert (
        lf.init_report_line(1236.04, status="timeout")
        == "INIT_REPORT Init Duration: 1236.04 ms\tPhase: init\tStatus: timeout"
    )
    assert (
        lf.init_report_line(137.69, status="error", error_type="Runtime.ImportModuleError")
        == "INIT_REPORT Init Duration: 137.69 ms\tPhase: init\tStatus: error"
        "\tError Type: Runtime.ImportModuleError"
    )
    assert "\tPhase: invoke\t" in lf.init_report_line(1.0, status="error", phase="invoke")


def test_log_group_and_stream() -> None:
    assert lf.log_group_name("my-function") == "/aws/lambda/my-function"
    guid = "3893ab017fac4485b47bb75b671a283c"
    assert (
        lf.log_stream_name(datetime.date(2020, 1, 31), "$LATEST", guid)
        == f"2020/01/31/[$LATEST]{guid}"
    )
    assert lf.log_stream_name(datetime.date(2024, 12, 5), "12", guid).startswith("2024/12/05/[12]")
    with pytest.raises(ValueError, match="32"):
        lf.log_stream_name(datetime.date(2020, 1, 31), "$LATEST", "abc")


def test_iso_ms() -> None:
    assert lf.iso_ms(1580508778.534) == "2020-01-31T22:12:58.534Z"
    assert lf.iso_ms(0) == "1970-01-01T00:00:00.000Z"
    assert lf.iso_ms(1709572958.0339) == "2024-03-04T17:22:38.033Z"  # truncated, like logging
    assert lf.iso_ms(1709572958.9999) == "2024-03-04T17:22:38.999Z"


@given(st.floats(min_value=0, max_value=4_000_000_000, allow_nan=False))
def test_iso_ms_agrees_with_datetime(epoch: float) -> None:
    us = round(epoch * 1_000_000)
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    assert lf.iso_ms(epoch) == dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def test_python_log_line() -> None:
    assert (
        lf.python_log_line("INFO", 1580508778.534, RID, "message")
        == f"[INFO]\t2020-01-31T22:12:58.534Z\t{RID}\tmessage"
    )
    assert lf.python_log_line("WARNING", 0, "", "w") == "[WARNING]\t1970-01-01T00:00:00.000Z\t\tw"


def test_unhandled_error_log_text_mode() -> None:
    doc = {
        "errorMessage": "'action'",
        "errorType": "KeyError",
        "requestId": RID,
        "stackTrace": [
            '  File "/var/task/lambda_function.py", line 36, in lambda_handler\n'
            "    result = ACTIONS[event['action']](event['number'])\n"
        ],
    }
    nb = "\u00a0"
    assert lf.unhandled_error_log(doc) == (
        "[ERROR] KeyError: 'action'\rTraceback (most recent call last):\r"
        f'{nb * 2}File "/var/task/lambda_function.py", line 36, in lambda_handler\r'
        f"{nb * 4}result = ACTIONS[event['action']](event['number'])"
    )
    assert lf.unhandled_error_log(doc, sep="\n").count("\n") == 3


def test_unhandled_error_log_edge_cases() -> None:
    init = {"errorMessage": "Unable to import module 'search': No module named 'search'",
            "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    assert lf.unhandled_error_log(init) == (
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'search': "
        "No module named 'search'\rTraceback (most recent call last):"
    )
    assert lf.unhandled_error_log({"errorType": "E", "errorMessage": ""}) == "[ERROR] E"
    assert lf.unhandled_error_log({"errorMessage": "m"}) == "[ERROR] m"
    assert lf.unhandled_error_log({"errorType": "E", "stackTrace": ["", " x"]}) == (
        "[ERROR] E\rTraceback (most recent call last):\r\r\u00a0x"
    )


# the AWS doc example verbatim (space before the tab after "27 ms"), and the observed cold line
DOC_REPORT = (
    "REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\t"
    "Billed Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n"
)


def test_parse_aws_doc_example() -> None:
    assert lf.REPORT_RE.match(DOC_REPORT)
    assert lf.parse_report_line(DOC_REPORT) == {
        "request_id": "4ce9340a-b765-490f-ad8a-02ab3415e2bf", "duration_ms": 26.73,
        "billed_ms": 27, "memory_mb": 128, "max_memory_mb": 75, "init_ms": None,
        "status": None, "error_type": None,
    }


def test_parse_third_party_error_type_spelling() -> None:
    line = (f"REPORT RequestId: {RID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tErrorType: Runtime.X")
    parsed = lf.parse_report_line(line)
    assert (parsed["status"], parsed["error_type"]) == ("error", "Runtime.X")


def test_parse_rejects_other_lines() -> None:
    with pytest.raises(ValueError, match="not a REPORT line"):
        lf.parse_report_line(lf.start_line(RID, "$LATEST"))
    assert lf.REPORT_RE.match("REPORT RequestId: x\tDuration: 1 ms") is None


_status = st.sampled_from([(None, None), ("timeout", None), ("error", None),
                           ("error", "Runtime.ExitError"), ("error", "Runtime.OutOfMemory")])


@given(
    st.uuids().map(str),
    st.floats(0, 900_000, allow_nan=False),
    st.integers(0, 901_000),
    st.integers(128, 10_240),
    st.integers(1, 10_240),
    st.none() | st.floats(0, 10_000, allow_nan=False),
    _status,
)
def test_report_round_trip(
    rid: str, duration: float, billed: int, mem: int, used: int, init: float | None,
    status: tuple[str | None, str | None],
) -> None:
    line = lf.report_line(rid, duration_ms=duration, billed_ms=billed, memory_mb=mem,
                          max_memory_mb=used, init_ms=init, status=status[0],
                          error_type=status[1])
    assert lf.REPORT_RE.match(line)
    parsed = lf.parse_report_line(line)
    assert parsed["request_id"] == rid and parsed["billed_ms"] == billed
    assert math.isclose(parsed["duration_ms"], duration, abs_tol=0.005 + 1e-9)
    assert (parsed["status"], parsed["error_type"]) == status
    rid2 = parsed.pop("request_id")
    assert lf.report_line(rid2, **parsed) == line
