"""One plain valid request before the plan: a target that cannot be judged at all (not
reachable, refusing the token, no such route, speaking the other surface) ends the run
with one line, instead of hundreds of failures that all say the same thing. A target that
answers with something that is not HTTP was reached: the run judges it, and fails it."""

from __future__ import annotations

from ...errors import TargetError
from ...surfaces import to_openai
from ..cases import Case, Surface
from ..http import NOT_HTTP
from ..http.classify import error_codes
from ..problems import describe_status
from ._sender import Sender

BODY = {"prompt": "Say hello."}
AUTH_CODES = {9106, 6003, 10000}
"""The v4 API's codes for a missing, malformed or wrong token (real-api.md)."""
NOT_ABOUT_THE_BODY = {401, 403, 404, 408, 409, 429}
"""4xx statuses that say nothing of the body (auth, route, time, conflict, rate)."""
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
    if error.startswith("connection") and not error.startswith(NOT_HTTP):  # not HTTP: judged
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
    if status is not None and 400 <= status < 500 and status not in NOT_ABOUT_THE_BODY:
        _other_surface(send, surface, describe_status(outcome))
    if status is not None and 200 <= status < 300 and _answered_as_the_other(outcome.json, surface):
        shape = "a chat.completion" if surface == "native" else "the v4 envelope"
        raise TargetError(
            _speaks_the_other(outcome.exchange.url, surface, f"answers it with {shape}")
        )


def _other_surface(send: Sender, surface: Surface, refusal: str) -> None:
    """The plain body was refused as a bad request: send the other surface's plain body to
    the same URL, and if that one is accepted, say which surface the target speaks."""
    other = to_openai(BODY) if surface == "native" else BODY
    outcome = send(Case("preflight-other-surface", "preflight", other, surface=surface))
    if outcome.status is None or not 200 <= outcome.status < 300:
        return
    how = f"refuses it ({refusal}) and accepts the other surface's"
    raise TargetError(_speaks_the_other(outcome.exchange.url, surface, how))


def _answered_as_the_other(answer: object, surface: Surface) -> bool:
    """Whether a success answer has the other surface's shape: the v4 envelope where a
    ``chat.completion`` was asked for, or the reverse."""
    if not isinstance(answer, dict):
        return False
    envelope = "result" in answer and "success" in answer and "choices" not in answer
    completion = answer.get("object") == "chat.completion" and "result" not in answer
    return envelope if surface == "openai" else completion


def _speaks_the_other(url: str, surface: Surface, how: str) -> str:
    """One line: the surface *url* seems to speak, what it did with the plain body (*how*),
    and the option that fixes the run."""
    if surface == "native":
        return (
            f"{url} speaks the chat-completions surface: sent a native body, it {how}; give "
            "--endpoint its URL ending in /chat/completions (or --api openai beside a Workers "
            "AI /ai/run/ URL)"
        )
    return (
        f"{url} speaks the /ai/run surface: sent an OpenAI-compatible body, it {how}; give "
        "--endpoint its native model URL"
    )
