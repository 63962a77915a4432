"""Where a run sends its requests: a URL and a token, the live API, or the bundled
reference server started for the run (shared by the CLI and the pytest plugin)."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..errors import ConfigError
from ..schemas import MODEL
from .cases import Surface

LIVE_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/ai/run/{model}"


OPENAI_PATH = "/ai/v1/chat/completions"


@dataclass(frozen=True)
class Target:
    """Where to send requests, and the token (never written anywhere).

    *url* is the model's URL on one surface: ``.../ai/run/{model}`` (native) or
    ``.../ai/v1/chat/completions`` (OpenAI-compatible, told apart by its path);
    *openai_url* adds the OpenAI-compatible surface of the same target.
    """

    url: str
    token: str | None = None
    openai_url: str | None = None
    faults: tuple[str, ...] = ()
    """Faults injected into the reference server the run is against (``--local-fault``)."""

    @property
    def urls(self) -> dict[Surface, str]:
        """The URL of each surface the run covers, native first."""
        if urlsplit(self.url).path.rstrip("/").endswith(OPENAI_PATH):
            return {"openai": self.url}
        urls: dict[Surface, str] = {"native": self.url}
        if self.openai_url:
            urls["openai"] = self.openai_url
        return urls


def live_url(account_id: str) -> str:
    """The model's URL on the live Cloudflare API for *account_id*."""
    return LIVE_URL.format(account=account_id, model=MODEL)


def openai_url_of(native_url: str) -> str:
    """The OpenAI-compatible endpoint beside a native ``.../accounts/{id}/ai/run/{model}``."""
    base = native_url.split("/ai/run/", 1)[0]
    return f"{base}{OPENAI_PATH}"


def percent_encoded(url: str) -> str:
    """*url* with the model's name percent-encoded (``@cf%2Fmistral%2F...``), as the official
    Cloudflare SDK sends it; unchanged when it does not name the model."""
    return url.replace(MODEL, quote(MODEL, safe="@"))


def check_endpoint(url: str) -> str:
    """*url* if it is an http(s) URL with a host; a :class:`ConfigError` otherwise."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (parsed only to validate it)
    except ValueError as exc:
        raise ConfigError(f"--endpoint {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ConfigError(f"--endpoint must be an http(s) URL with a host, not {url!r}")
    return url


@contextmanager
def open_target(
    *,
    endpoint: str | None = None,
    account_id: str | None = None,
    local: bool = False,
    local_faults: Sequence[str] = (),
    token: str | None = None,
    local_token: str | None = None,
    api: str | None = None,
) -> Iterator[Target]:
    """The one target chosen: *endpoint*, the live API of *account_id*, or (*local*) the
    reference server, started here on a free port with *local_faults* and stopped on exit;
    it requires *local_token* (a fresh random token by default).

    *api* picks the surfaces: ``native``, ``openai`` or ``both``; by default both for the
    reference server, the native one for the live API, and an endpoint's own."""
    chosen = [
        name
        for name, on in (("--endpoint", endpoint), ("--account-id", account_id), ("--local", local))
        if on
    ]
    if len(chosen) != 1:
        raise ConfigError(
            "choose exactly one target: --endpoint URL, --account-id ID "
            f"or --local (got {', '.join(chosen) or 'none'})"
        )
    if local_faults and not local:
        raise ConfigError("--local-fault needs --local")
    if endpoint is not None:
        yield endpoint_target(endpoint, token, api)
    elif account_id is not None:
        yield _surfaces(live_url(account_id), token, api or "native")
    else:
        from ..server import serve

        local_token = local_token or secrets.token_urlsafe(16)
        with serve(token=local_token, faults=local_faults) as server:
            target = _surfaces(server.model_url, local_token, api or "both")
            yield dataclasses.replace(target, faults=tuple(sorted(set(local_faults))))


def endpoint_target(url: str, token: str | None = None, api: str | None = None) -> Target:
    """The target of a model *url* (checked: see :func:`check_endpoint`). *api* ``openai``
    (or ``both``) moves to (or adds) the OpenAI-compatible surface beside a native URL; an
    OpenAI-compatible URL serves only its own surface."""
    url = check_endpoint(url)
    own = Target(url, token).urls
    if "openai" in own:
        if api not in (None, "openai"):
            raise ConfigError(f"--api {api}: the endpoint serves openai")
        return Target(url, token)
    return _surfaces(url, token, api or "native")


def _surfaces(native_url: str, token: str | None, api: str) -> Target:
    if api == "openai":
        return Target(openai_url_of(native_url), token)
    return Target(native_url, token, openai_url_of(native_url) if api == "both" else None)
