"""Schema drift: pull the schema the live service publishes, and say in words what changed
between two request schemas (bounds, types, properties, required names).

The live schema comes from ``GET /client/v4/accounts/{id}/ai/models/schema?model=...``
(official API, ../shared/real-api.md "Input schema drift"); the reference server serves the
same endpoint.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import TargetError, WaiContractError
from .schemas import MODEL

KEYWORDS = (
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "pattern",
    "format",
    "additionalProperties",
)
"""The keywords whose change :func:`differences` reports."""


def schema_url(account_id: str, api_base: str | None = None) -> str:
    """Where the live service (or another v4 *api_base*) publishes the model's schemas for
    *account_id*."""
    from .conformance.target import API_BASE

    base = (api_base or API_BASE).rstrip("/")
    return f"{base}/accounts/{account_id}/ai/models/schema?model={MODEL}"


def pull(url: str, token: str | None, *, timeout: float = 30.0) -> dict[str, Any]:
    """The schemas published at *url* (``{"input": ..., "output": ...}``), with *token*,
    read within *timeout* seconds in all and :data:`~.files.MAX_CONFIG_BYTES`; a
    :class:`TargetError` with the answer's status and first error otherwise."""
    import httpx

    from .conformance.http.redact import scrub

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        status, data = _bounded_get(url, headers, timeout)
        envelope = json.loads(data)
    except httpx.HTTPError as exc:
        raise TargetError(f"cannot pull the schema from {url}: {scrub(str(exc), token)}") from None
    except (ValueError, RecursionError):
        raise TargetError(f"{url} answered {status} with no JSON") from None
    result = envelope.get("result") if isinstance(envelope, dict) else None
    if status != 200 or not isinstance(result, dict) or "input" not in result:
        errors = envelope.get("errors") if isinstance(envelope, dict) else None
        said = errors[0] if isinstance(errors, list) and errors else envelope
        text = scrub(json.dumps(said), token)[:200]
        raise TargetError(f"{url} answered {status}: {text}")
    return result


def _bounded_get(url: str, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """The status and body of ``GET url``: at most ``MAX_CONFIG_BYTES``, within *timeout*
    seconds from the first byte sent to the last one read."""
    import time

    import httpx

    from .files import MAX_CONFIG_BYTES

    stop = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_CONFIG_BYTES:
                raise TargetError(f"{url} answered more than {MAX_CONFIG_BYTES:,} bytes")
            if time.monotonic() > stop:
                raise TargetError(f"{url} took more than {timeout:g} s to answer")
            chunks.append(chunk)
        return response.status_code, b"".join(chunks)


_LIVE: dict[str, dict[str, Any]] = {}
"""The request schemas read from the live service in this process, by URL."""


def use_live_schema(account_id: str, token: str | None, api_base: str | None = None) -> str | None:
    """Judge request bodies by the schema the live service publishes for the model to
    *account_id* (read once a process, bounded as :func:`pull` is); the report names its URL
    and hash. When it cannot be read, the vendored published one judges, and the report says
    why: the reason is returned (``None`` when the live one is in use)."""
    from .schemas import INPUT_SCHEMA_NAMES, input_schema_in, load_schema, use_schema

    url = schema_url(account_id, api_base)
    try:
        if url not in _LIVE:
            _LIVE[url] = input_schema_in(pull(url, token), url)
    except WaiContractError as exc:
        reason = f"the live schema could not be read ({exc})"
        use_schema("input", None)
        use_schema("input", load_schema("input"), f"{INPUT_SCHEMA_NAMES['published']}: {reason}")
        return reason
    use_schema("input", _LIVE[url], f"the live service's, {url}")
    return None


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from the request schema *old* to *new*, one sentence a change."""
    out: list[str] = []
    _compare(old, new, "", out)
    return out


def _compare(old: Any, new: Any, where: str, out: list[str]) -> None:
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new:
            out.append(f"{where or '(root)'}: {_shown(old)} -> {_shown(new)}")
        return
    place = where.strip() or "(root)"
    for keyword in KEYWORDS:
        if keyword in ("additionalProperties",) and isinstance(old.get(keyword), dict):
            continue
        if old.get(keyword) != new.get(keyword):
            out.append(
                f"{place}: {keyword} {_shown(old.get(keyword))} -> {_shown(new.get(keyword))}"
            )
    before, after = set(old.get("required") or ()), set(new.get("required") or ())
    out += [f"{place}: now requires `{name}`" for name in sorted(after - before)]
    out += [f"{place}: no longer requires `{name}`" for name in sorted(before - after)]
    _compare_properties(old.get("properties") or {}, new.get("properties") or {}, where, out)
    if "items" in old or "items" in new:
        _compare(old.get("items"), new.get("items"), f"{where}[]", out)
    for keyword in ("oneOf", "anyOf", "allOf"):
        _compare_alternatives(old.get(keyword), new.get(keyword), where, keyword, out)


def _compare_properties(
    old: dict[str, Any], new: dict[str, Any], where: str, out: list[str]
) -> None:
    place = where.strip() or "(root)"
    out += [f"{place}: property `{name}` added" for name in new if name not in old]
    out += [f"{place}: property `{name}` removed" for name in old if name not in new]
    for name in old:
        if name in new:
            _compare(old[name], new[name], f"{where}/{name}", out)


def _compare_alternatives(old: Any, new: Any, where: str, keyword: str, out: list[str]) -> None:
    if old is None and new is None:
        return
    old, new = old or [], new or []
    if len(old) != len(new):
        out.append(f"{where or '(root)'}: {keyword} of {len(old)} -> {len(new)} alternatives")
        return
    for index, (a, b) in enumerate(zip(old, new, strict=True)):
        title = a.get("title") if isinstance(a, dict) else None
        # A titled top-level branch is named by its title: "Prompt /top_p".
        name = f"{title} " if where == "" and title else f"{where}<{keyword} {index + 1}>"
        _compare(a, b, name, out)


def _shown(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)
