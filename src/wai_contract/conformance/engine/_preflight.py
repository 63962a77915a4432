"""One plain valid request before the plan: a target that cannot be judged at all (not
reachable, refusing the token, no such route) ends the run with one line, instead of
hundreds of failures that all say the same thing."""

from __future__ import annotations

from ...errors import TargetError
from ...surfaces import to_openai
from ..cases import Case
from ..http.classify import error_codes
from ..problems import describe_status
from ._sender import Sender

BODY = {"prompt": "Say hello."}
AUTH_CODES = {9106, 6003, 10000}
"""The v4 API's codes for a missing, malformed or wrong token (real-api.md)."""
ROUTE_CODES = {7000, 7003}
"""The v4 API's codes for a path it cannot route, sent with 400 on ``/ai/v1`` ("Could not
route to ...", "No route for that URI": real-api.md, "What the service does on this path")."""


def preflight(send: Sender) -> None:
    """Send :data:`BODY` with the run's token; raise :class:`TargetError` if the answer
    shows that no case could be judged."""
    surface = next(iter(send.target.urls))
    body = to_openai(BODY) if surface == "openai" else BODY
    outcome = send(Case("preflight", "preflight", body, surface=surface))
    error = outcome.exchange.error or ""
    if error.startswith("connection"):
        raise TargetError(f"cannot reach {outcome.exchange.url}: {error.partition(': ')[2]}")
    status = outcome.status
    if status in (401, 403) or AUTH_CODES & set(error_codes(outcome.json)):
        given = "the token given" if send.target.token else "no token (pass --token)"
        raise TargetError(f"the target refuses {given}: {describe_status(outcome)}")
    if status == 404 or (status == 400 and ROUTE_CODES & set(error_codes(outcome.json))):
        raise TargetError(
            f"the target has no such route, check the URL {outcome.exchange.url}: "
            f"{describe_status(outcome)}"
        )
