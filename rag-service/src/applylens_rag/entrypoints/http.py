"""HTTP routes: GET /chat/stream (SSE), POST /chat (JSON), the /chat page, and the page's cookie session.

Credentials. POST /chat and POST /chat/session take ``Authorization: Bearer <JWT>`` only.
GET /chat/stream is read by the browser's ``EventSource``, which cannot send headers, so
it also accepts, in this order: the bearer header, the HttpOnly cookie that
POST /chat/session sets (what the page uses), or an ``access_token`` query parameter.
All three go through the same verification. A token in a URL can leak into access logs,
proxy logs and browser history, so prefer the cookie; the service never logs URLs
(uvicorn's access log is off), answers with ``Referrer-Policy: no-referrer`` and
``Cache-Control: no-store``, and the page never puts the token in a URL.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from applylens_contracts.identity import CurrentUser, authenticate, bearer_token

from .. import metrics
from ..service_layer import AnswerQuestion, AskQuestion, ChatFailed
from ..settings import RagSettings
from .schemas import ChatAnswer, ChatParams, SessionPublic

SECURITY_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}
_STATIC = {"chat.js": "text/javascript", "chat.css": "text/css"}


def _chat(request: Request) -> AnswerQuestion:
    chat = getattr(request.app.state, "chat", None)
    if chat is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="rag-service is starting; try again shortly")
    return chat


def _answerer_name(request: Request) -> str:
    chat = getattr(request.app.state, "chat", None)
    return chat.answerer.name if chat is not None else "none"


@cache
def _static_dir() -> Any:
    return resources.files("applylens_rag.entrypoints").joinpath("static")


def stream_user(
    request: Request,
    access_token: Annotated[str | None, Query(
        description="the JWT, for EventSource clients that can neither send headers nor cookies; "
                    "prefer the cookie (a token in a URL can reach logs and history)")] = None,
) -> str:
    """The verified user of GET /chat/stream: bearer header, else the session cookie, else ``access_token``."""
    cookie = request.app.state.settings.rag_cookie_name
    token = bearer_token(request) or request.cookies.get(cookie) or access_token
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"missing credentials: send 'Authorization: Bearer <token>', the {cookie} cookie "
                   "(POST /chat/session sets it) or an access_token query parameter",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return authenticate(request, token)


StreamUser = Annotated[str, Depends(stream_user)]


def build_router(settings: RagSettings) -> APIRouter:
    router = APIRouter(tags=["chat"])
    cookie = settings.rag_cookie_name

    def command(user_id: str, params: ChatParams) -> AskQuestion:
        return AskQuestion(user_id=user_id, question=params.q, mode=params.mode, k=params.k or settings.rag_default_k)

    @router.get(
        "/chat/stream",
        summary="Chat over your mail as server-sent events",
        description=(
            "Events, in order: `sources` (the cited emails, with why each was boosted), `delta`… (answer "
            "text), `answer` (the whole text and its citations), `done`; or `error` (then the stream ends). "
            "Comment lines (`: ping`) are heartbeats. Credentials: bearer header, the session cookie, or "
            "`access_token` (see the module docs)."
        ),
        response_class=EventSourceResponse,
        responses={200: {"content": {"text/event-stream": {}}}, 401: {}, 422: {}},
    )
    async def chat_stream(
        request: Request,
        params: Annotated[ChatParams, Query()],
        user_id: StreamUser,
    ) -> EventSourceResponse:
        started = time.perf_counter()
        chat = _chat(request)
        cmd = command(user_id, params)
        answerer = chat.answerer.name

        async def events():  # type: ignore[no-untyped-def]
            outcome = "ok"
            first = True
            try:
                async for event in chat.events(cmd):
                    if first:
                        metrics.TIME_TO_FIRST_EVENT.labels(answerer).observe(time.perf_counter() - started)
                        first = False
                    if event.name == "error":
                        outcome = "error"
                    yield ServerSentEvent(event=event.name, data=json.dumps(event.data, ensure_ascii=False))
            except (asyncio.CancelledError, GeneratorExit):
                outcome = "disconnected"
                raise
            finally:
                metrics.CHATS.labels("stream", cmd.mode.value, outcome).inc()
                metrics.CHAT_SECONDS.labels("stream", answerer).observe(time.perf_counter() - started)

        return EventSourceResponse(events(), ping=settings.rag_heartbeat_seconds, headers=SECURITY_HEADERS,
                                   send_timeout=30)

    @router.post(
        "/chat",
        summary="Chat over your mail, answered as one JSON document",
        response_model=ChatAnswer,
        responses={401: {}, 422: {}, 503: {"description": "the index or the answer model failed"}},
    )
    async def chat_once(request: Request, params: ChatParams, user_id: CurrentUser) -> Any:
        started = time.perf_counter()
        chat = _chat(request)
        cmd = command(user_id, params)
        try:
            document = await chat.answer(cmd)
        except ChatFailed as failed:
            metrics.CHATS.labels("json", cmd.mode.value, "error").inc()
            return JSONResponse({"detail": failed.data["message"], "stage": failed.data["stage"],
                                 "error_id": failed.data["error_id"]}, status_code=503, headers=SECURITY_HEADERS)
        finally:
            metrics.CHAT_SECONDS.labels("json", _answerer_name(request)).observe(time.perf_counter() - started)
        metrics.CHATS.labels("json", cmd.mode.value, "ok").inc()
        return document

    @router.post(
        "/chat/session",
        summary="Set the page's session cookie from a bearer token (so EventSource needs no token in its URL)",
        response_model=SessionPublic,
    )
    async def open_session(request: Request, response: Response, user_id: CurrentUser) -> SessionPublic:
        token = bearer_token(request) or ""
        expires = jwt.decode(token, options={"verify_signature": False}).get("exp")  # verified just above
        expires_at = datetime.fromtimestamp(expires, timezone.utc) if isinstance(expires, (int, float)) else None
        max_age = max(0, int(expires - time.time())) if expires_at else None
        response.set_cookie(
            cookie, token, max_age=max_age, path=_cookie_path(request), httponly=True,
            samesite="strict", secure=request.url.scheme == "https",
        )
        response.headers.update(SECURITY_HEADERS)
        return SessionPublic(user_id=user_id, expires_at=expires_at)

    @router.delete("/chat/session", summary="Clear the page's session cookie", status_code=204)
    async def close_session(request: Request) -> Response:
        response = Response(status_code=204, headers=SECURITY_HEADERS)
        response.delete_cookie(cookie, path=_cookie_path(request), httponly=True, samesite="strict")
        return response

    @router.get("/chat", summary="The chat page (static HTML + JS)", response_class=HTMLResponse,
                include_in_schema=True)
    async def chat_page() -> HTMLResponse:
        return HTMLResponse(_page(settings.rag_email_url_template), headers=PAGE_HEADERS)

    @router.get("/chat/static/{name}", include_in_schema=False)
    async def chat_static(name: str) -> FileResponse:
        if name not in _STATIC:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no static file {name!r}")
        path = _static_dir().joinpath(name)
        return FileResponse(str(path), media_type=_STATIC[name], headers={"Cache-Control": "no-cache",
                                                                           "X-Content-Type-Options": "nosniff"})

    return router


def _cookie_path(request: Request) -> str:
    """``/chat`` under the app's mount point: the cookie reaches /chat/stream and /chat/session only."""
    return request.scope.get("root_path", "").rstrip("/") + "/chat"


@cache
def _page(email_url_template: str) -> str:
    page = _static_dir().joinpath("chat.html").read_text(encoding="utf-8")
    return page.replace("{{EMAIL_URL_TEMPLATE}}", html.escape(email_url_template, quote=True))
