"""HTTP: every endpoint acts for the caller's verified JWT only; bad input is a clear 4xx."""

from __future__ import annotations

import pytest

from applylens_contracts.identity import mint_token

pytestmark = pytest.mark.integration


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_user_can_neither_read_nor_change_another_users_weights(client, api, token_for, it):
    alice, bob = it.unique_user("alice"), it.unique_user("bob")
    repo = api.state.learner.repo
    await repo.set_weight(bob, "category:promo", -1.4)
    await repo.set_weight(bob, "contains:sale", 0.6)

    a = auth(token_for(alice))
    assert (await client.put("/learner/weights/category:promo", json={"weight": 2.0}, headers=a)).status_code == 200
    assert (await client.put("/learner/weights/sender_domain:groupon.com", json={"weight": -0.5}, headers=a)).status_code == 200
    page = (await client.get("/learner/weights", headers=a)).json()
    assert page["user_id"] == alice and page["total"] == 2
    assert [(w["feature"], w["weight"]) for w in page["weights"]] == [("category:promo", 2.0), ("sender_domain:groupon.com", -0.5)]

    # alice's edits, deletes and reset never reach bob's rows
    assert (await client.delete("/learner/weights/contains:sale", headers=a)).status_code == 404
    assert (await client.delete("/learner/weights", headers=a)).json() == {"deleted": 2}
    assert await it.weights_of(api.state.settings.database_url, bob) == {"category:promo": -1.4, "contains:sale": 0.6}
    # a user id in the query string or body is not a way in
    page = (await client.get("/learner/weights", params={"user_id": bob}, headers=a)).json()
    assert page["user_id"] == alice and page["weights"] == []

    b = auth(token_for(bob))
    page = (await client.get("/learner/weights", params={"order": "asc", "limit": 1}, headers=b)).json()
    assert page["total"] == 2 and [w["feature"] for w in page["weights"]] == ["category:promo"]
    assert (await client.delete("/learner/weights/contains:sale", headers=b)).status_code == 204
    assert await it.weights_of(api.state.settings.database_url, bob) == {"category:promo": -1.4}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer " + mint_token("mallory@example.com", "another-secret-entirely-32-bytes!")},
        {"Authorization": "Bearer " + mint_token("alice@example.com", "x" * 32, ttl_seconds=-3600)},
    ],
    ids=["missing", "garbage", "wrong-scheme", "wrong-key", "expired"],
)
async def test_no_valid_token_is_a_401_on_every_endpoint(client, headers):
    calls = [
        ("GET", "/learner/weights", None),
        ("PUT", "/learner/weights/category:promo", {"weight": 1}),
        ("DELETE", "/learner/weights/category:promo", None),
        ("DELETE", "/learner/weights", None),
        ("POST", "/learner/score", {"emails": [{"id": "m1"}]}),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["detail"]


async def test_expired_token_signed_with_the_right_key_is_refused(client, jwt_secret):
    token = mint_token("alice@example.com", jwt_secret, ttl_seconds=-3600)
    response = await client.get("/learner/weights", headers=auth(token))
    assert response.status_code == 401 and "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body", "needle"),
    [
        ("PUT", "/learner/weights/categroy:promo", {"weight": 1}, "must be 'bias' or one of"),
        ("PUT", "/learner/weights/contains:", {"weight": 1}, "empty value"),
        ("PUT", "/learner/weights/category:Promo", {"weight": 1}, "lower case"),
        ("PUT", "/learner/weights/contains:" + "x" * 300, {"weight": 1}, "at most 256"),
        ("PUT", "/learner/weights/category:promo", {"weight": 1e9}, "finite number in [-100, 100]"),
        ("PUT", "/learner/weights/category:promo", {"weight": "heavy"}, "weight"),
        ("PUT", "/learner/weights/category:promo", {"weight": 1, "user_id": "bob"}, "user_id"),
        ("DELETE", "/learner/weights/nope", None, "must be 'bias' or one of"),
        ("GET", "/learner/weights?limit=0", None, "limit"),
        ("GET", "/learner/weights?limit=100000", None, "limit"),
        ("GET", "/learner/weights?order=sideways", None, "order"),
        ("POST", "/learner/score", {"emails": []}, "emails"),
        ("POST", "/learner/score", {"emails": [{"subject": "no id"}]}, "id"),
        ("POST", "/learner/score", {"emails": [{"id": "m1", "policy_confidence": 1.5}]}, "policy_confidence"),
        ("POST", "/learner/score", {"emails": [{"id": f"m{i}"} for i in range(501)]}, "at most 500 emails"),
    ],
)
async def test_bad_input_is_a_4xx_with_a_clear_message(client, token_for, method, path, body, needle):
    response = await client.request(method, path, json=body, headers=auth(token_for("validator@example.com")))
    assert response.status_code == 422, response.text
    assert needle in response.text


async def test_score_sums_the_callers_weights_and_nudges_without_silencing(client, api, token_for, it):
    user = it.unique_user("scorer")
    h = auth(token_for(user))
    for feature, weight in [("category:promo", -3.0), ("sender_domain:groupon.com", -2.0), ("contains:interview", 1.5)]:
        assert (await client.put(f"/learner/weights/{feature}", json={"weight": weight}, headers=h)).status_code == 200
    await api.state.learner.repo.set_weight(it.unique_user("other"), "category:promo", 50.0)  # not the caller's

    body = {"emails": [
        {"id": "promo", "category": "promo", "sender_domain": "mail.groupon.com", "subject": "Wholesale deals",
         "policy_id": 5, "policy_confidence": 0.7},
        {"id": "unknown", "category": "personal", "subject": "Dinner?"},
        {"id": "job", "category": "recruiter", "subject": "Interview on Monday", "extra_field": "ignored"},
    ]}
    response = await client.post("/learner/score", json=body, headers=h)
    assert response.status_code == 200, response.text
    promo, unknown, job = response.json()["results"]
    assert promo["email_id"] == "promo" and promo["score"] == pytest.approx(-5.0)
    assert [c["feature"] for c in promo["contributions"]] == ["category:promo", "sender_domain:groupon.com"]
    assert 0 < promo["probability"] < 0.5
    assert "contains:wholesale" in promo["features"] and "contains:sale" not in promo["features"]
    # nudged down by at most the max shift, never to zero
    assert promo["nudged_confidence"] >= 0.7 - 0.15 - 1e-9 and promo["nudged_confidence"] > 0
    assert unknown["score"] == 0 and unknown["probability"] == 0.5 and unknown["contributions"] == []
    assert unknown["nudged_confidence"] is None
    assert job["score"] == pytest.approx(1.5) and job["probability"] > 0.5


async def test_health_readiness_and_metrics(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "startup": "ok"}  # the API role needs no broker
    text = (await client.get("/metrics")).text
    for name in ("user_weight_updates_total", "learner_apply_seconds", "applylens_consumer_batch_size"):
        assert name in text
    assert "/learner/weights" in (await client.get("/openapi.json")).text
