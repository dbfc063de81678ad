"""rag's use cases: retrieve once, then answer (streamed or whole)."""

from .answerers import Answerer, ExtractiveAnswerer, ModelAnswerer
from .chat import AnswerQuestion, ChatEvent, ChatFailed
from .retrieval import AskQuestion, Retrieval, retrieve

__all__ = ["Answerer", "AnswerQuestion", "AskQuestion", "ChatEvent", "ChatFailed", "ExtractiveAnswerer",
           "ModelAnswerer", "Retrieval", "retrieve"]
