"""Who is asking, and may they: bearer tokens for the API, a session cookie with a CSRF token for the web UI.

Every route but health, sign-in and static files depends on `allowed(permission)`; the permissions per role live
in `earshot/services/auth.py`. Without a valid sign-in the API answers 401 and pages redirect to /login; a role
that may not act gets 403.
"""

import hmac
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from earshot.api.deps import SAFE_METHODS, SessionDep
from earshot.services.auth import may
from storage.engine import session_scope
from storage.models.staff import StaffUser
from storage.repo.staff import session_of, token_hash
from storage.types import utcnow

SESSION_COOKIE = "earshot_session"


@dataclass(frozen=True)
class SignedIn:
    id: int
    name: str
    role: str


def _session_of(engine, token: str, kind: str):
    """Read in a session of its own, whose connection goes back to the pool at once: a GET then holds none while
    it reads its page (in another session: listing_cache.py); holding one here while waiting for a second, 40
    requests with different tokens at once took every pooled connection and each waited for another (found by
    bench/soak on PostgreSQL; one shared token never read the store twice)."""
    with session_scope(engine) as session:
        return session_of(session, token=token, kind=kind)


class LoginRequired(Exception):
    """A page was asked for without a browser session: the app redirects to /login."""


def client_address(request: Request) -> str:
    """The address the request came from, as this server saw it (a proxy's, behind one)."""
    return request.client.host if request.client else "unknown"


def is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


async def signed_in(request: Request, session: SessionDep, *, token: str, kind: str):
    """The user and session a token signs in, or None. A GET (which changes nothing) may use what a request with the
    same token found up to `[engage] listing_cache_seconds` ago, expiry checked again; a sign-out or a disabled
    user through the server takes effect at once (see listing_cache.py), through the CLI within that time."""
    # the store is read in the thread pool: blocking the event loop for a pooled connection would deadlock the
    # server once every connection is held by a request that needs the loop to finish
    if request.method not in SAFE_METHODS:
        return await run_in_threadpool(session_of, session, token=token, kind=kind)
    cache, key = request.app.state.listing_cache, ("sign-in", kind, token_hash(token))
    kept = cache.kept(key)
    found = kept[0] if kept else await run_in_threadpool(
        cache.get, key, partial(_session_of, request.app.state.engine, token, kind))
    if found is not None and found[1].expires_at <= utcnow():
        return None
    return found


async def current_user(request: Request, session: SessionDep) -> StaffUser:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        found = await signed_in(request, session, token=authorization[7:].strip(), kind="api")
        if found is None:
            raise HTTPException(401, "invalid or expired token: get a new one with POST /api/token",
                                headers={"WWW-Authenticate": "Bearer"})
        request.state.user_id = found[0].id  # who changes the queue, if this request does (see deps.py)
        return found[0]
    cookie = request.cookies.get(SESSION_COOKIE)
    found = await signed_in(request, session, token=cookie, kind="web") if cookie else None
    if found is not None:
        user, row = found
        if request.method not in SAFE_METHODS:
            sent = request.headers.get("x-csrf-token") or (await request.form()).get("csrf_token")
            if not isinstance(sent, str) or not hmac.compare_digest(sent, row.csrf_token or ""):
                raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")
        # a plain copy for the templates: the ORM row expires when a failing request rolls back
        request.state.user, request.state.csrf_token = SignedIn(user.id, user.name, user.role), row.csrf_token
        request.state.user_id = user.id
        return user
    if is_page(request):
        raise LoginRequired()
    raise HTTPException(401, "sign in first: POST /api/token (OAuth2 password form), then send "
                             "Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"})


def allowed(permission: str):
    """A dependency: the signed-in user, if their role grants `permission`."""
    async def check(user: Annotated[StaffUser, Depends(current_user)]) -> StaffUser:
        if not may(user, permission):
            raise HTTPException(403, f"your role ({user.role}) may not do this ({permission.replace('_', ' ')})")
        return user
    return check


Reader = Annotated[StaffUser, Depends(allowed("read"))]
CustomerReader = Annotated[StaffUser, Depends(allowed("customers"))]
AdvocateReader = Annotated[StaffUser, Depends(allowed("advocates"))]
LinkReviewer = Annotated[StaffUser, Depends(allowed("review_links"))]
QueueWorker = Annotated[StaffUser, Depends(allowed("work_queue"))]
