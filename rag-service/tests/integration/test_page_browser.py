"""The /chat page in headless Chromium (Debian's ``chromium``, driven by Playwright for Python).

CI installs the browser with ``apt-get install -y chromium``; Playwright's own browser
download is never used. Skipped, with the reason, only when no chromium binary exists.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.async_api import async_playwright, expect

from applylens_rag.bootstrap import build_app

pytestmark = pytest.mark.integration

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
async def page():
    if not CHROMIUM:
        pytest.skip("no chromium binary (install Debian's: apt-get install -y chromium, or set CHROMIUM_PATH)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield await browser.new_page()
        finally:
            await browser.close()


async def test_chips_set_the_mode_and_the_answer_and_sources_stream_in(page, live_server, rag_settings, email_index,
                                                                      make_mail, user, token_for):
    await email_index.upsert([
        make_mail(user, "news", "Acme March roundup", "What happened at Acme in March.", category="updates", days_ago=1),
        make_mail(user, "receipt", "Acme March receipt", "Your payment to Acme: $12.00.", category="finance", days_ago=3),
        make_mail(user, "meetup", "Acme March meetup", "Join the Acme meetup.", category="event", days_ago=5),
    ])
    server = live_server(build_app(rag_settings()))
    streams: list[str] = []
    page.on("request", lambda request: streams.append(request.url) if "/chat/stream" in request.url else None)

    # the token arrives in the fragment (never sent to a server), becomes an HttpOnly cookie, leaves the address
    await page.goto(f"{server.url}/chat#access_token={token_for(user)}")
    await expect(page.locator("#whoami")).to_contain_text(f"signed in as {user}")
    assert "access_token" not in page.url

    async def ask_and_wait(action) -> dict:
        before = len(streams)
        await page.locator("#status").evaluate("el => { el.textContent = '' }")
        await action()
        await expect(page.locator("#status")).to_have_text("done")
        assert len(streams) == before + 1
        query = parse_qs(urlparse(streams[-1]).query)
        assert "access_token" not in query  # the cookie carried the credentials
        first = await page.locator("#sources li").first.get_attribute("data-email-id")
        return {"mode": query["mode"][0], "q": query["q"][0], "first": first}

    await page.fill("#q", "acme march")
    none = await ask_and_wait(lambda: page.click("#send"))
    assert none == {"mode": "none", "q": "acme march", "first": "news"}
    assert await page.locator("#sources li").count() == 3
    answer = await page.locator("#answer").inner_text()
    assert "3 emails match “acme march”" in answer and "[1]" in answer

    money = await ask_and_wait(lambda: page.click(".chip[data-mode=money]"))
    assert money["mode"] == "money" and money["first"] == "receipt"
    assert await page.get_attribute(".chip[data-mode=money]", "aria-pressed") == "true"
    assert "money mode: category finance" in await page.locator("#sources li").first.inner_text()
    assert "in money mode" in await page.locator("#answer").inner_text()

    networking = await ask_and_wait(lambda: page.click(".chip[data-mode=networking]"))
    assert networking["mode"] == "networking" and networking["first"] == "meetup"
    assert await page.evaluate("window.ragChat.lastStreamUrl") == streams[-1]

    # sources are clickable: a citation highlights its source, a source shows its details
    await page.click("#answer a.cite >> nth=0")
    assert await page.locator("#sources li.highlight").count() == 1
    await page.click("#sources li a.source >> nth=0")
    assert await page.locator("#sources li .details >> nth=0").is_visible()
