"""Security of the running stack over real HTTP: identity on every user endpoint, isolation between users,
and SQL metacharacters in every string parameter. (CSV formula injection: money-service's tests.)"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from applylens_contracts.identity import mint_token

from .conftest import client

pytestmark = pytest.mark.e2e

SERVICES = ("learner", "policy", "money", "chat")
# Not user endpoints: probes, metrics, the chat page's static HTML, clearing the page's cookie.
PUBLIC = {("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics"), ("get", "/chat"), ("delete", "/chat/session")}
BODIES = {
    ("put", "/learner/weights/{feature}"): {"weight": 1.0},
    ("post", "/learner/score"): {"emails": [{"id": "x", "category": "promo", "subject": "hello"}]},
    ("post", "/chat"): {"q": "interview"},
}
PATH_VALUES = {"feature": "category:promo", "policy_id": "1"}
SQL_PAYLOADS = ("' OR '1'='1", "1; DROP TABLE emails; --", '" OR ""="', "%' --", "\\'", "$1::text", "ü'🙂", "a\x00b")
OTHER = "alex@example.com"  # the stack's second demo user


def _operations(info: dict) -> list[tuple[str, str, dict]]:
    ops = []
    for service in SERVICES:
        spec = httpx.get(f"{info['base_url']}/openapi/{service}.json", timeout=10).json()
        for path, methods in spec["paths"].items():
            for method, op in methods.items():
                if (method, path) not in PUBLIC:
                    ops.append((method, path, op))
    return ops


def _url(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _bad_tokens(info: dict, state: Path) -> dict[str, str]:
    secret = (state / "jwt_secret").read_text().strip()
    user = info["user_id"]
    return {
        "expired": mint_token(user, secret, ttl_seconds=60, now=time.time() - 3600),
        "forged": mint_token(user, "not-the-stack-secret-" + "x" * 32),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': user, 'exp': int(time.time()) + 600})}.",
        "garbage": "not-a-jwt",
    }


def _emails_by_user(database_url: str) -> dict[str, set[str]]:
    async def fetch() -> dict[str, set[str]]:
        conn = await asyncpg.connect(database_url)
        try:
            rows = await conn.fetch("SELECT user_id, id FROM emails")
        finally:
            await conn.close()
        out: dict[str, set[str]] = {}
        for row in rows:
            out.setdefault(row["user_id"], set()).add(row["id"])
        return out

    return asyncio.run(fetch())


def test_every_user_endpoint_refuses_missing_expired_and_forged_tokens(stack):  # type: ignore[no-untyped-def]
    info, _, state = stack
    ops = _operations(info)
    assert len(ops) >= 12, [f"{m} {p}" for m, p, _ in ops]
    failures = []
    with httpx.Client(base_url=info["base_url"], timeout=30) as http:
        for method, path, _ in ops:
            body = BODIES.get((method, path))
            attempts = {"no token": {}, **{k: {"Authorization": f"Bearer {t}"} for k, t in _bad_tokens(info, state).items()}}
            for what, headers in attempts.items():
                response = http.request(method.upper(), _url(path), json=body, headers=headers,
                                        params={"q": "x"} if path == "/chat/stream" else None)
                if response.status_code != 401:
                    failures.append(f"{method.upper()} {path} with {what}: {response.status_code}")
        forged = _bad_tokens(info, state)["forged"]
        in_query = http.get("/chat/stream", params={"q": "x", "access_token": forged})
        if in_query.status_code != 401:
            failures.append(f"/chat/stream?access_token=<forged>: {in_query.status_code}")
    assert not failures, failures


def test_another_users_token_sees_only_their_own_data(stack):  # type: ignore[no-untyped-def]
    info, _, state = stack
    secret = (state / "jwt_secret").read_text().strip()
    mine = _emails_by_user(info["database_url"])
    demo_ids, other_ids = mine[info["user_id"]], mine[OTHER]
    assert demo_ids and other_ids and not demo_ids & other_ids
    with client(info) as demo, client(info, mint_token(OTHER, secret)) as other:
        csv_ids = {line.split(",")[3] for line in other.get("/money/receipts.csv", params={"user_id": info["user_id"]})
                   .text.splitlines()[1:]}
        assert csv_ids and csv_ids <= other_ids  # a user_id parameter changes nothing
        duplicates = other.get("/money/duplicates", params={"window_days": 30}).json()["duplicates"]
        assert {d[side]["id"] for d in duplicates for side in ("earlier", "later")} <= other_ids
        assert other.get("/learner/weights").json()["user_id"] == OTHER
        other_stats = {s["policy_id"]: s for s in other.get("/policy/stats").json()}
        for row in demo.get("/policy/stats").json():
            detail = other.get(f"/policy/stats/{row['policy_id']}")
            if row["policy_id"] in other_stats:
                assert detail.json()["fired"] == other_stats[row["policy_id"]]["fired"]
            else:
                assert detail.status_code == 404
        sources = other.post("/chat", json={"q": "interview receipt order", "k": 20}).json()["sources"]
        assert sources and {s["id"] for s in sources} <= other_ids


def test_sql_metacharacters_in_every_string_parameter(stack):  # type: ignore[no-untyped-def]
    info, _, state = stack
    secret = (state / "jwt_secret").read_text().strip()
    before = {user: len(ids) for user, ids in _emails_by_user(info["database_url"]).items()}
    failures = []
    with client(info, mint_token(OTHER, secret)) as http:
        for method, path, op in _operations(info):
            if (method, path) == ("delete", "/learner/weights"):
                continue  # no parameters; it would only reset the other user's weights
            body = BODIES.get((method, path))
            for param in op.get("parameters", []):
                if param["name"] == "access_token" or param.get("schema", {}).get("type") in ("integer", "number"):
                    continue
                for payload in SQL_PAYLOADS:
                    params = {"q": "interview"} if path == "/chat/stream" else {}
                    url = _url(path)
                    if param["in"] == "path":
                        url = path.replace("{" + param["name"] + "}", quote(payload, safe=""))
                    else:
                        params[param["name"]] = payload
                    response = http.request(method.upper(), url, params=params, json=body)
                    if response.status_code >= 500:
                        failures.append(f"{method.upper()} {path} {param['name']}={payload!r}: {response.status_code}")
                    elif response.status_code >= 400 and not response.json().get("detail"):
                        failures.append(f"{method.upper()} {path} {param['name']}={payload!r}: no message")
    assert not failures, failures
    assert {user: len(ids) for user, ids in _emails_by_user(info["database_url"]).items()} == before
