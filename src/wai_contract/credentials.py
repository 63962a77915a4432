"""Where the API token comes from: given, read from a file, or from the environment.

One lookup for the CLI, the pytest plugin and the reference server. The token itself is
never written anywhere (see ``conformance/http/redact.py``).
"""

from __future__ import annotations

import os

TOKEN_VARIABLES = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_AUTH_TOKEN")


def token_from_environment() -> str | None:
    """``CLOUDFLARE_API_TOKEN``, else ``CLOUDFLARE_AUTH_TOKEN``, else None."""
    for name in TOKEN_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    return None


def find_token(given: str | None = None, file_text: str | None = None) -> str | None:
    """The token: *given*, else the text of a token file (stripped), else the
    environment's (:func:`token_from_environment`)."""
    from_file = file_text.strip() if file_text is not None else None
    return given or from_file or token_from_environment()
