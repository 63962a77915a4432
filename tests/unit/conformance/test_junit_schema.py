"""``junit.xml`` is valid against the strict JUnit schema (pytest's ``junit-10.xsd``), for
runs that pass, fail, skip, warn and carry known deviations, and each case has its time."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import xmlschema
from tests.unit.conformance.engine_servers import SMALL, URL, contract, reference_client

from wai_contract.conformance import Target, run
from wai_contract.conformance.reporters import RUN_FORMATS

XSD = Path(__file__).resolve().parents[2] / "fixtures" / "junit" / "junit-10.xsd"
Forward = Callable[[httpx.Request], httpx.Response]
SHA256 = "e031fd47e10165241b45236f8f534673dece6ec3d24b310ce27c121ee35c0b3a"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    assert hashlib.sha256(XSD.read_bytes()).hexdigest() == SHA256, "the vendored file changed"
    return xmlschema.XMLSchema(str(XSD))


@pytest.mark.parametrize("server", ["healthy", "no-done"])
def test_junit_of_a_run_is_valid_and_times_each_check(
    schema: xmlschema.XMLSchema, server: str
) -> None:
    def wrap(request, forward):  # type: ignore[no-untyped-def]
        answer = forward(request)
        if (
            server == "no-done"
            and b"text/event-stream" in answer.headers.get("content-type", "").encode()
        ):
            content = answer.content.replace(b"data: [DONE]\n\n", b"")
            return type(answer)(answer.status_code, headers=answer.headers, content=content)
        return answer

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(wrap))
    text = RUN_FORMATS["junit.xml"](report)
    schema.validate(text)
    cases = {c.get("name"): c for c in ET.fromstring(text).iter("testcase")}
    assert float(cases["accepts-valid"].get("time", "0")) > 0
    assert (cases["streaming"].find("failure") is not None) is (server == "no-done")


def test_the_reporters_own_report_with_skips_warnings_and_known_deviations_is_valid(
    schema: xmlschema.XMLSchema,
) -> None:
    from tests.unit.conformance.test_reporters import report

    schema.validate(RUN_FORMATS["junit.xml"](report()))
