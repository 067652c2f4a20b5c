"""Who may reach a served app: the host to bind and the token a page must give first."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from ..errors import ReaderError
from ..printable import inert

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class ServeError(ReaderError):
    """The server cannot be started as asked."""


def is_local(host: str) -> bool:
    """True for a loopback address or name: only this machine can connect."""
    host = host.strip().strip("[]").lower()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another name: it may resolve to any address


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve to other machines without a token."""
    if not host.strip():
        raise ServeError("--host is empty; give an address such as 127.0.0.1")
    if token is not None and not token.strip():
        raise ServeError("--token is empty; give a secret that is hard to guess")
    if not is_local(host) and token is None:
        raise ServeError(
            f"--host {inert(host)} lets other machines connect: give --token SECRET too "
            "(or serve on 127.0.0.1)"
        )


def token_digest(token: str) -> str:
    """What the browser keeps in its cookie once the token was given: never the token."""
    return hashlib.sha256(b"reader serve\0" + token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def host_name(host_header: str) -> str:
    """The host of a `Host` header (`127.0.0.1:8000`, `[::1]:8000`, `localhost`)."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0]
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header
