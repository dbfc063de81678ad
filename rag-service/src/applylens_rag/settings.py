"""rag-service's configuration: every variable, read once at start (see the README's table)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from applylens_contracts.settings import ServiceSettings


class RagSettings(ServiceSettings):
    service_name: str = "rag-service"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8004, ge=1, le=65535)

    # An OpenAI-compatible chat-completions endpoint (OpenAI, a local Ollama at
    # http://127.0.0.1:11434/v1, vLLM, ...). Unset base URL → the offline extractive answerer.
    rag_llm_base_url: str | None = None
    rag_llm_model: str = "llama3.2"
    rag_llm_api_key: SecretStr | None = None  # sent as a bearer token when set (Ollama needs none)
    rag_llm_timeout_seconds: float = Field(default=60.0, gt=0, description="longest wait for the next token")
    rag_llm_max_tokens: int = Field(default=600, ge=1)
    rag_llm_temperature: float = Field(default=0.2, ge=0, le=2)

    rag_default_k: int = Field(default=6, ge=1, le=20)
    rag_heartbeat_seconds: float = Field(default=15.0, gt=0, description="SSE comment interval keeping proxies open")
    # The cookie the page sets through POST /chat/session (HttpOnly, SameSite=Strict) for EventSource.
    rag_cookie_name: str = "applylens_rag_token"
    # Where a source link points; {id} is the email id. The default stays on the page.
    rag_email_url_template: str = "#email-{id}"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.rag_llm_base_url)
