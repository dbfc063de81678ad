"""GET /chat/stream and POST /chat over real HTTP (uvicorn on 127.0.0.1) against the PostgreSQL index."""

from __future__ import annotations

import httpx
import pytest

from applylens_rag.bootstrap import build_app

pytestmark = pytest.mark.integration


@pytest.fixture
async def mailbox(email_index, make_mail, user):
    await email_index.upsert([
        make_mail(user, "onsite-1", "Onsite interview at Acme next week", "We'd love to host you for an onsite "
                  "interview on Friday. Please confirm the time.", sender="recruiter@acme.com", category="recruiting",
                  stage="Onsite", risk=0.2, company="Acme", thread_id="t-acme", days_ago=3),
        make_mail(user, "onsite-2", "Re: Onsite interview at Acme next week", "Confirmed, see you Friday.",
                  sender="recruiter@acme.com", category="recruiting", stage="Onsite", risk=0.2, company="Acme",
                  thread_id="t-acme", days_ago=2),
        make_mail(user, "ghost-1", "Your application to Globex", "Thanks for applying to the interview process "
                  "at Globex.", sender="no-reply@greenhouse.io", category="recruiting", stage="Applied", risk=0.8,
                  company="Globex", days_ago=30),
        make_mail(user, "promo-1", "Interview tips webinar", "Ten tips for your next interview.",
                  sender="news@careers.example", category="promo", days_ago=1),
    ])
    return user


async def test_events_arrive_in_order_sources_deltas_answer_done(live_server, rag_settings, http, sse, token_for, mailbox):
    server = live_server(build_app(rag_settings()))
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "interview", "k": 5},
                           headers={"Authorization": f"Bearer {token_for(mailbox)}"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["referrer-policy"] == "no-referrer"
        read = await sse(response)
    names = read.names
    assert names[0] == "sources"
    assert names[-2:] == ["answer", "done"]
    assert set(names[1:-2]) == {"delta"} and len(names) > 3
    sources = read.first("sources")["sources"]
    assert {s["id"] for s in sources} == {"onsite-1", "onsite-2", "ghost-1", "promo-1"}
    first = sources[0]
    assert set(first) >= {"id", "subject", "sender", "received_at", "score", "why"}
    order = [s["id"] for s in sources]
    # the promo mentions "interview" in its subject, the Globex mail only in its body, but
    # ghosting risk 0.8 (x4) outweighs that; the Acme onsite thread (stage Onsite, x3) leads
    assert order.index("ghost-1") < order.index("promo-1")
    ghost = sources[order.index("ghost-1")]
    assert any("ghosting risk 0.80" in why for why in ghost["why"]) and ghost["boosts"] == ["ghosting_risk"]
    answer = read.first("answer")
    assert answer["text"] == "".join(e.data["text"] for e in read.events if e.event == "delta")
    assert "Onsite" in answer["text"] and "ghosting risk 0.80" in answer["text"]
    assert answer["citations"] and set(answer["citations"]) <= {s["n"] for s in sources}
    # the Acme thread's two emails are one line of the answer, citing both
    acme = [s["n"] for s in sources if s["thread_id"] == "t-acme"]
    assert "".join(f"[{n}]" for n in acme) in answer["text"]


async def test_post_chat_gives_the_same_answer_as_the_stream(live_server, rag_settings, http, sse, token_for, mailbox):
    server = live_server(build_app(rag_settings()))
    headers = {"Authorization": f"Bearer {token_for(mailbox)}"}
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "acme onsite", "mode": "networking"},
                           headers=headers) as response:
        read = await sse(response)
    reply = await http.post(f"{server.url}/chat", json={"q": "acme onsite", "mode": "networking"}, headers=headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["answer"] == read.first("answer")["text"]
    assert [s["id"] for s in body["sources"]] == [s["id"] for s in read.first("sources")["sources"]]
    assert body["mode"] == "networking" and body["answerer"] == "extractive"


async def test_users_never_see_each_others_mail(live_server, rag_settings, http, token_for, email_index, make_mail, mailbox):
    other = "mallory-" + mailbox
    await email_index.upsert([make_mail(other, "m-1", "Interview at Initech", "Mallory's interview", category="recruiting")])
    server = live_server(build_app(rag_settings()))
    for who, own in ((mailbox, {"onsite-1", "onsite-2", "ghost-1", "promo-1"}), (other, {"m-1"})):
        reply = await http.post(f"{server.url}/chat", json={"q": "interview", "k": 20},
                                headers={"Authorization": f"Bearer {token_for(who)}"})
        assert {s["id"] for s in reply.json()["sources"]} == own
    # a question with no match falls back to the caller's own mail only
    reply = await http.post(f"{server.url}/chat", json={"q": "zeppelin"}, headers={"Authorization": f"Bearer {token_for(other)}"})
    assert reply.json()["fallback"] is True and {s["id"] for s in reply.json()["sources"]} == {"m-1"}


async def test_credentials_header_cookie_or_query_and_401s(live_server, rag_settings, http, token_for, jwt_secret, mailbox):
    from applylens_contracts.identity import mint_token

    server = live_server(build_app(rag_settings()))
    url = f"{server.url}/chat/stream"
    params = {"q": "interview"}
    missing = await http.get(url, params=params)
    assert missing.status_code == 401 and "access_token" in missing.json()["detail"]
    bad = await http.get(url, params={**params, "access_token": "not-a-jwt"})
    assert bad.status_code == 401 and "malformed" in bad.json()["detail"]
    expired = mint_token(mailbox, jwt_secret, ttl_seconds=-120)
    late = await http.get(url, params={**params, "access_token": expired})
    assert late.status_code == 401 and "expired" in late.json()["detail"]
    forged = mint_token(mailbox, "another-secret-of-at-least-32-bytes!!")
    assert (await http.get(url, params=params, headers={"Authorization": f"Bearer {forged}"})).status_code == 401

    token = token_for(mailbox)
    async with http.stream("GET", url, params={**params, "access_token": token}) as response:
        assert response.status_code == 200
    # the page's way: POST /chat/session sets an HttpOnly cookie scoped to /chat
    session = await http.post(f"{server.url}/chat/session", headers={"Authorization": f"Bearer {token}"})
    assert session.status_code == 200 and session.json()["user_id"] == mailbox
    set_cookie = session.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/chat" in set_cookie
    async with httpx.AsyncClient(cookies={"applylens_rag_token": token}, timeout=30) as browser:
        async with browser.stream("GET", url, params=params) as response:
            assert response.status_code == 200
        # the cookie is for EventSource only: POST /chat wants the header (no cross-site form posts)
        assert (await browser.post(f"{server.url}/chat", json=params)).status_code == 401
    assert (await http.post(f"{server.url}/chat/session")).status_code == 401


@pytest.mark.parametrize(("params", "field"), [
    ({}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 501}, "q"),
    ({"q": "hi", "mode": "gossip"}, "mode"),
    ({"q": "hi", "k": 0}, "k"),
    ({"q": "hi", "k": 21}, "k"),
    ({"q": "hi", "k": "many"}, "k"),
])
async def test_bad_parameters_are_422_with_a_message(live_server, rag_settings, http, token_for, params, field):
    server = live_server(build_app(rag_settings()))
    reply = await http.get(f"{server.url}/chat/stream", params=params,
                           headers={"Authorization": f"Bearer {token_for('a@example.com')}"})
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert any(field in err["loc"] and err["msg"] for err in detail), detail


async def test_ops_endpoints_and_metrics(live_server, rag_settings, http, sse, token_for, mailbox):
    server = live_server(build_app(rag_settings()))
    assert (await http.get(f"{server.url}/healthz")).json() == {"status": "ok"}
    ready = await http.get(f"{server.url}/readyz")
    assert ready.status_code == 200, ready.text
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "interview"},
                           headers={"Authorization": f"Bearer {token_for(mailbox)}"}) as response:
        await sse(response)
    text = (await http.get(f"{server.url}/metrics")).text
    assert 'rag_time_to_first_event_seconds_count{answerer="extractive"}' in text
    assert 'rag_chat_request_seconds_count{answerer="extractive",endpoint="stream"}' in text
    assert 'applylens_http_request_seconds_count{method="GET",route="/chat/stream"}' in text
    assert 'rag_boosted_sources_total{boost="ghosting_risk"}' in text
    page = await http.get(f"{server.url}/chat")
    assert page.status_code == 200 and "EventSource" not in page.text and 'data-mode="money"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer" and "script-src 'self'" in page.headers["content-security-policy"]
    script = await http.get(f"{server.url}/chat/static/chat.js")
    assert script.status_code == 200 and "new EventSource" in script.text
    assert (await http.get(f"{server.url}/chat/static/../settings.py")).status_code == 404


async def test_readiness_fails_while_the_index_is_unreachable(live_server, rag_settings, http):
    settings = rag_settings(database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    server = live_server(build_app(settings))
    ready = await http.get(f"{server.url}/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["index"] != "ok"


class BrokenIndex:
    """An index whose engine is down: every search fails."""

    async def ensure(self) -> None:
        return None

    async def search(self, query):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("index engine is down")

    async def close(self) -> None:
        return None


async def test_a_failing_index_is_an_error_event(live_server, rag_settings, http, sse, token_for):
    server = live_server(build_app(rag_settings(), index=BrokenIndex()))
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "interview"},
                           headers={"Authorization": f"Bearer {token_for('a@example.com')}"}) as response:
        assert response.status_code == 200
        read = await sse(response)
    assert read.names == ["error"]
    error = read.first("error")
    assert error["stage"] == "retrieval" and "could not be searched" in error["message"]
    assert "ConnectionRefused" not in error["message"]  # internals stay in the log, under the error id
