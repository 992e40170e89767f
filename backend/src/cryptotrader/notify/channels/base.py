"""What every channel shares: the notification it sends and the outcome it reports.

A channel is one HTTP client for one push protocol. It never raises for what the remote side
answers: it turns every reply into an ``Outcome`` the dispatcher acts on (record it sent, retry
later, forget a dead device, give up), so that a provider's bad day never stops the notifier.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

import httpx

Severity = Literal["info", "warning", "critical"]


@dataclass(frozen=True, slots=True)
class Notification:
    """What a person sees: a title, one or two lines, and data the app opens it with.

    ``event`` is the catalogue name (``trade_closed``); ``tag`` lets a device replace an older
    notification of the same thing; ``data`` holds strings only (ids, figures as decimal text).
    """

    event: str
    title: str
    body: str
    severity: Severity = "info"
    tag: str | None = None
    data: dict[str, str] = field(default_factory=dict)


class Status(StrEnum):
    """What to do with a delivery after one attempt."""

    SENT = "sent"
    RETRY = "retry"
    """Temporary: rate limited, provider busy or unreachable; try again later."""
    GONE = "gone"
    """The device or subscription no longer exists: remove it, never send to it again."""
    FAILED = "failed"
    """Permanent: the provider refused this message or our credentials; retrying cannot help."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's result; ``detail`` is one line for the delivery record (never a secret)."""

    status: Status
    detail: str = ""
    retry_after_s: float | None = None
    receipt: str | None = None
    """The provider's id of the accepted message (Expo ticket id), when it gives one."""


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``: seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def http_outcome(response: httpx.Response, what: str) -> Outcome:
    """The generic reading of an HTTP status: 2xx sent, 429/5xx/408 retry, other 4xx failed."""
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(Status.SENT)
    detail = f"{what} answered HTTP {code}: {_snippet(response)}"
    if code in (408, 429) or code >= 500:
        return Outcome(Status.RETRY, detail, retry_after_s=retry_after(response))
    return Outcome(Status.FAILED, detail)


def network_outcome(exc: httpx.HTTPError, what: str) -> Outcome:
    """An unreachable or timed-out provider: retry later."""
    return Outcome(Status.RETRY, f"{what} unreachable: {type(exc).__name__}")


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:160] if text else "(empty body)"
