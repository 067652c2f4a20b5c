"""Text analysis: text in, spans out. Knows nothing of Textual."""

from .pipeline import analyze, default_engine_name
from .types import Analysis, Entity, Quote, Span, Speaker

__all__ = ["Analysis", "Entity", "Quote", "Span", "Speaker", "analyze", "default_engine_name"]
