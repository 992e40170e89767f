"""A small JSON file cache with a time-to-live, and once-per-process notices.

Sentiment sources change at most a few times a day and their hosts rate-limit, so answers are
kept on disk: a fresh entry is served without any request, a stale one is still better than
nothing when the host is down. Files are written atomically (temporary file + rename), so an
interrupted run never leaves a half-written cache behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptotrader.clock import Clock
from cryptotrader.domain.values import utc_from_ms

logger = logging.getLogger("cryptotrader.sentiment")

_announced: set[str] = set()
_announced_lock = threading.Lock()


def warn_once(key: str, message: str) -> None:
    """Log ``message`` as a warning the first time ``key`` is seen in this process."""
    with _announced_lock:
        if key in _announced:
            return
        _announced.add(key)
    logger.warning(message)


def reset_notices() -> None:
    """Forget which notices were given, so that they are announced again (tests, long runs)."""
    with _announced_lock:
        _announced.clear()


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A cached payload and when it was fetched."""

    fetched_at_ms: int
    payload: Any

    def is_fresh(self, clock: Clock, ttl_s: int) -> bool:
        """True when fetched less than ``ttl_s`` seconds ago (and not in the future)."""
        age_ms = clock.timestamp_ms() - self.fetched_at_ms
        return 0 <= age_ms < ttl_s * 1000

    def describe(self) -> str:
        """``fetched 2024-01-01 00:00 UTC`` for notices."""
        return f"fetched {utc_from_ms(self.fetched_at_ms):%Y-%m-%d %H:%M} UTC"


class JsonCache:
    """One JSON file per key under ``directory``.

    Args:
        directory: where files go (created on first write).
        prefix: file name prefix naming the source (``fear_greed``).
    """

    def __init__(self, directory: Path, prefix: str) -> None:
        self._directory = directory
        self._prefix = prefix

    def path(self, key: str) -> Path:
        """The file holding ``key`` (its name is a hash of the key: URLs are not file names)."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return self._directory / f"{self._prefix}-{digest}.json"

    def read(self, key: str) -> CacheEntry | None:
        """The entry for ``key``, or None when absent or unreadable (then it is refetched)."""
        path = self.path(key)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entry = CacheEntry(fetched_at_ms=int(raw["fetched_at_ms"]), payload=raw["payload"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("ignoring unreadable cache file %s (%s)", path, exc)
            return None
        return entry

    def write(self, key: str, payload: Any, fetched_at_ms: int) -> None:
        """Store ``payload`` for ``key`` atomically; a failure is logged, never raised.

        The data was fetched already: being unable to cache it must not lose it.
        """
        path = self.path(key)
        document = {"key": key, "fetched_at_ms": fetched_at_ms, "payload": payload}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            logger.warning("cannot write cache file %s (%s)", path, exc)
            return
        temporary = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream, separators=(",", ":"))
            temporary.replace(path)
        except OSError as exc:
            logger.warning("cannot write cache file %s (%s)", path, exc)
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)  # left only when the rename did not happen
