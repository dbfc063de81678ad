// The chat page: one EventSource per question; the mode chips set mode= on its URL.
// Credentials travel in an HttpOnly cookie set by POST chat/session, never in a URL.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { mode: "none", source: null, lastStreamUrl: null, answer: "", sources: [] };
  window.ragChat = state; // for people poking at the page (and the browser test)

  const emailUrl = (id) =>
    (document.body.dataset.emailUrlTemplate || "#email-{id}").replace("{id}", encodeURIComponent(id));

  function setStatus(text, isError) {
    const el = $("status");
    el.textContent = text;
    el.className = isError ? "error" : "";
  }

  // Sign-in: a token pasted here (or given as #access_token=… in the page address, which
  // browsers never send to servers) becomes an HttpOnly cookie scoped to /chat.
  async function signIn(token) {
    const response = await fetch("chat/session", {
      method: "POST", headers: { Authorization: "Bearer " + token }, credentials: "same-origin",
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.detail || "sign-in failed (HTTP " + response.status + ")");
    }
    const session = await response.json();
    $("whoami").textContent = "signed in as " + session.user_id;
  }

  async function signOut() {
    await fetch("chat/session", { method: "DELETE", credentials: "same-origin" });
    $("whoami").textContent = "signed out";
  }

  function selectMode(mode) {
    state.mode = mode;
    for (const chip of document.querySelectorAll(".chip")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.mode === mode));
    }
  }

  function streamUrl(question) {
    const url = new URL("chat/stream", document.baseURI);
    url.searchParams.set("q", question);
    url.searchParams.set("mode", state.mode);
    return url.toString();
  }

  function renderSources(sources) {
    const list = $("sources");
    list.replaceChildren();
    for (const s of sources) {
      const item = document.createElement("li");
      item.id = "source-" + s.n;
      item.dataset.emailId = s.id;
      const link = document.createElement("a");
      link.className = "source";
      link.href = emailUrl(s.id);
      link.textContent = "[" + s.n + "] " + s.subject;
      item.append(link, " — " + s.sender + ", " + s.received_at.slice(0, 10));
      for (const why of s.why) {
        const badge = document.createElement("span");
        badge.className = "why";
        badge.textContent = why;
        item.append(badge);
      }
      const details = document.createElement("div");
      details.className = "details";
      details.hidden = true;
      const ats = s.ats && s.ats.stage ? "Stage " + s.ats.stage + (s.ats.ghosting_risk != null
        ? ", ghosting risk " + s.ats.ghosting_risk.toFixed(2) : "") + ". " : "";
      details.textContent = ats + (s.snippet || "") + " (score " + s.score.toFixed(4) + ")";
      item.append(details);
      link.addEventListener("click", () => { details.hidden = !details.hidden; });
      list.append(item);
    }
  }

  // The final answer with its [n] citations turned into links to the sources (DOM nodes, no innerHTML).
  function renderAnswer(text) {
    const el = $("answer");
    el.replaceChildren();
    let last = 0;
    for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
      el.append(text.slice(last, match.index));
      const n = match[1];
      const cite = document.createElement("a");
      cite.className = "cite";
      cite.href = "#source-" + n;
      cite.textContent = match[0];
      cite.addEventListener("click", () => {
        for (const li of document.querySelectorAll("#sources li")) li.classList.toggle("highlight", li.id === "source-" + n);
      });
      el.append(cite);
      last = match.index + match[0].length;
    }
    el.append(text.slice(last));
  }

  function ask(question) {
    if (state.source) state.source.close();
    state.answer = "";
    $("answer").textContent = "";
    $("sources").replaceChildren();
    const url = streamUrl(question);
    state.lastStreamUrl = url;
    $("stream-url").textContent = url;
    setStatus("searching…");
    const source = new EventSource(url, { withCredentials: true });
    state.source = source;
    const data = (event) => JSON.parse(event.data);
    source.addEventListener("sources", (event) => {
      const payload = data(event);
      state.sources = payload.sources;
      renderSources(payload.sources);
      setStatus(payload.total + " matching emails; answering…");
    });
    source.addEventListener("delta", (event) => {
      state.answer += data(event).text;
      $("answer").textContent = state.answer;
    });
    source.addEventListener("answer", (event) => {
      state.answer = data(event).text;
      renderAnswer(state.answer);
    });
    source.addEventListener("done", () => {
      setStatus("done");
      source.close(); // or EventSource would reconnect and ask again
    });
    source.addEventListener("error", (event) => {
      source.close();
      if (event.data) {
        setStatus(data(event).message, true);
      } else if (state.source === source && $("status").textContent !== "done") {
        setStatus("the stream failed: are you signed in?", true);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const fromHash = new URLSearchParams(location.hash.slice(1)).get("access_token");
    if (fromHash) {
      history.replaceState(null, "", location.pathname + location.search); // out of history and sight
      signIn(fromHash).catch((err) => setStatus(err.message, true));
    }
    $("signin").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      $("token").value = "";
      if (token) signIn(token).catch((err) => setStatus(err.message, true));
    });
    $("signout").addEventListener("click", () => signOut());
    $("ask").addEventListener("submit", (event) => {
      event.preventDefault();
      const question = $("q").value.trim();
      if (question) ask(question);
    });
    for (const chip of document.querySelectorAll(".chip")) {
      chip.addEventListener("click", () => {
        selectMode(chip.dataset.mode);
        const question = $("q").value.trim();
        if (question) ask(question); // a chip re-asks the question in its mode
      });
    }
  });
})();
