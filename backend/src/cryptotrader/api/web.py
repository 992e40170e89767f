"""The app's web export served at ``/`` by the API process, so one process gives a browser UI.

A single-page app: a path that is not a file gets ``index.html`` and the app's router takes it
from there (a deep link such as ``/bot/safe`` survives a reload). The API's own prefixes are
never answered with the app: an unknown ``/api/...`` path stays a JSON 404. Hashed bundles
under ``_expo/static`` are cached for a year; ``index.html`` is revalidated on every load, so a
new export is picked up at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

log = logging.getLogger(__name__)

API_PREFIXES = ("api", "auth", "config", "ws", "docs", "metrics", "health", "openapi.json")
"""First path segments that belong to the API, never to the app."""
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
BUILD_HINT = "cd mobile && npm ci && npx expo export --platform web"


def default_web_dir() -> Path:
    """The checkout's ``mobile/dist`` (where ``expo export --platform web`` writes)."""
    return Path(__file__).resolve().parents[4] / "mobile" / "dist"


def _is_api_path(path: str) -> bool:
    return path.split("/", 1)[0] in API_PREFIXES


class AppFiles(StaticFiles):
    """Static files with a fallback to ``index.html`` for the app's routes."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at ``path``, else ``index.html`` for an app route, else a JSON 404."""
        if _is_api_path(path):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or "." in path.rsplit("/", 1)[-1]:
                raise
            response = await super().get_response("index.html", scope)
        immutable = path.startswith("_expo/static/") and response.status_code == 200
        response.headers["cache-control"] = IMMUTABLE if immutable else REVALIDATE
        return response


class AppMissing:
    """What ``/`` answers when the web export is not built: how to build it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def __call__(self, scope: Scope, receive: object, send: object) -> None:
        """A JSON 404 naming the missing directory and the build command."""
        path = str(scope.get("path", "/")).lstrip("/")
        detail = (
            "Not Found"
            if _is_api_path(path)
            else f"the app's web export is not built ({self.directory}): run {BUILD_HINT}"
        )
        await JSONResponse({"detail": detail}, status_code=404)(scope, receive, send)  # type: ignore[arg-type]


def web_app(directory: Path | None) -> AppFiles | AppMissing:
    """The ASGI app to mount at ``/`` for ``directory`` (default: ``default_web_dir()``)."""
    directory = directory or default_web_dir()
    if (directory / "index.html").is_file():
        return AppFiles(directory=directory, html=True)
    log.info("the app's web export is not built (%s): run %s", directory, BUILD_HINT)
    return AppMissing(directory)
