"""rag's adapters: the emails index (through the shared contract) and an OpenAI-compatible chat client."""

from .index import IndexGate, open_email_index
from .llm import ChatCompletionsClient, LlmError

__all__ = ["ChatCompletionsClient", "IndexGate", "LlmError", "open_email_index"]
