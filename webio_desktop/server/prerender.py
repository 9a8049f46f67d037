"""Prerendering: a page request starts its app, and the page carries the app's first screen.

Without it a window shows content only after the page has loaded, opened its socket and the
app has run. With it the page request starts the session; what the app outputs before it first
waits for the page (a form, ``eval_js``), returns or closes -- at most ``PRERENDER_BUDGET``
seconds of it -- is cut into the session's first frame and embedded in the HTML; the front end
applies it (the same command renderer as socket frames) before any socket frame. The page's
socket then attaches to the running session with a one-time secret from the page
(``link.Resumption``, as a reconnect does), and receives only what came after the cut, numbered from frame 2, so
acknowledgements and reconnects count the embedded frame like any other.

The trade-off: a page request runs app code. A prefetcher, link preview or crawler that GETs
the page starts a session nobody attaches to; it is closed after
``HandlerOptions.attach_timeout`` seconds (10 by default) and its ``defer_call`` functions run.
So it is on by default only for the launcher's windows, whose requests carry the per-launch
secret, and an opt-in (``prerender=True``) for ``start_server``.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping

from .. import protocol
from ..sessions.core import Session, SessionInfo
from .connect import ASSET_QUERY, HandlerOptions, Response, open_session, page_response
from .link import SessionLink, new_link
from .outbox import LinkState

logger = logging.getLogger("webio_desktop.server")

# Seconds a page request waits for the app's first screen: an app that shows something at once
# and then waits for input is cut at the wait; a slow one is cut here and the rest follows on
# the socket. Small, so a slow app delays its page by no more than this.
PRERENDER_BUDGET = 0.075


async def prerendered_page(options: HandlerOptions, path: str, query: Mapping[str, str],
                           info: SessionInfo, *, budget: float = PRERENDER_BUDGET,
                           shown_url: str | None = None) -> Response:
    """The app's page with its first frame and attach secret (see the module docstring); the
    plain ``page_response`` for anything else (an unknown app, a front-end file, a page the
    embedder's ``session_factory`` refuses). Runs on the server's event loop. ``shown_url``:
    as ``page_response``'s."""
    name = query.get("app") or "index"
    if name not in options.apps or (options.embedded and ASSET_QUERY in query):
        return page_response(options, path, query, shown_url=shown_url)
    links: list[SessionLink] = []

    def attach(session: Session) -> SessionLink:
        links.append(new_link(session, options))
        return links[0]

    session = open_session(options, name, info, attach)
    if session is None:
        return page_response(options, path, query, shown_url=shown_url)  # refused likewise
    await first_screen(session, budget)
    link = links[0]
    frame = protocol.encode_frame(session.take_outbox())  # the cut: later output stays queued
    if link.keep:
        link.kept.add(frame)  # frame 1, re-sent like any frame if the page reconnects early
    token = secrets.token_urlsafe(32)  # not the session id, which logs name
    options.attaching[token] = link
    asyncio.get_running_loop().call_later(options.attach_timeout, _unattached, options, token,
                                          link)
    return page_response(options, path, query, first_frame=frame, attach=token,
                         shown_url=shown_url)


async def first_screen(session: Session, budget: float) -> None:
    """Wait until the app first waits for the page, returns or closes; ``budget`` s at most."""
    loop = asyncio.get_running_loop()
    waited = loop.create_future()

    def settle() -> None:
        if not waited.done():
            waited.set_result(None)

    session.on_first_wait(lambda: loop.call_soon_threadsafe(settle))
    try:
        await asyncio.wait_for(waited, budget)
    except asyncio.TimeoutError:
        pass


def _unattached(options: HandlerOptions, token: str, link: SessionLink) -> None:
    """No socket came for the page in time (a prefetch, a page closed at once): close it."""
    if options.attaching.pop(token, None) is None or link.state.now is not LinkState.NEW:
        return  # attached
    logger.info("session %s: its page never attached; closing it", link.session.id)
    link._forget()
    link.session.close(from_page=True)
