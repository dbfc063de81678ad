import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from applylens_contracts.identity import CurrentUser, TokenVerifier, mint_token

SECRET = "test-secret-of-sufficient-length-123456"


def _app(verifier: TokenVerifier) -> TestClient:
    app = FastAPI()
    app.state.token_verifier = verifier

    @app.get("/me")
    def me(user: CurrentUser) -> dict:
        return {"user": user}

    return TestClient(app)


@pytest.fixture
def client() -> TestClient:
    return _app(TokenVerifier(secret=SECRET, leeway_seconds=0))


def test_valid_token_gives_the_sub(client):
    token = mint_token("alice@example.com", SECRET)
    response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"user": "alice@example.com"}


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing credentials"),
        ({"Authorization": "Basic abc"}, "Bearer"),
        ({"Authorization": "Bearer not.a.jwt"}, "malformed token"),
        ({"Authorization": "Bearer " + mint_token("a", SECRET, now=time.time() - 7200)}, "expired"),
        ({"Authorization": "Bearer " + mint_token("a", "another-secret-of-sufficient-length-999")}, "invalid token"),
        ({"Authorization": "Bearer " + jwt.encode({"sub": "a"}, SECRET, algorithm="HS256")}, "'exp'"),
        ({"Authorization": "Bearer " + jwt.encode({"exp": time.time() + 60}, SECRET, algorithm="HS256")}, "'sub'"),
        ({"Authorization": "Bearer " + jwt.encode({"sub": "a", "exp": time.time() + 60}, None, algorithm="none")}, "not accepted"),
    ],
)
def test_bad_credentials_are_401_with_a_clear_message(client, headers, message):
    response = client.get("/me", headers=headers)
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_verifier_refuses_to_exist_without_configuration():
    with pytest.raises(ValueError, match="JWT_SECRET or JWT_JWKS_URL"):
        TokenVerifier()


def test_audience_is_enforced_when_configured():
    client = _app(TokenVerifier(secret=SECRET, audience="applylens"))
    good = mint_token("a", SECRET, audience="applylens")
    bad = mint_token("a", SECRET, audience="other")
    assert client.get("/me", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    assert client.get("/me", headers={"Authorization": f"Bearer {bad}"}).status_code == 401


@pytest.fixture
def jwks_server():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update(kid="k1", use="sig", alg="RS256")
    body = json.dumps({"keys": [public]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield key, f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def test_jwks_signed_tokens_are_verified_over_http(jwks_server):
    key, url = jwks_server
    client = _app(TokenVerifier(jwks_url=url))
    claims = {"sub": "carol@example.com", "exp": int(time.time()) + 60}
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k1"})
    assert client.get("/me", headers={"Authorization": f"Bearer {good}"}).json() == {"user": "carol@example.com"}
    assert client.get("/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    # An HS256 token is not accepted when only JWKS is configured (no algorithm confusion).
    hs = jwt.encode(claims, "x" * 32, algorithm="HS256")
    assert client.get("/me", headers={"Authorization": f"Bearer {hs}"}).status_code == 401
