"""Source guides: what one document says and what to ask it (types, writer, cache, rendering)."""

from rag.guide.render import render_guide
from rag.guide.types import (
    GUIDE_SCHEMA,
    FindPassage,
    GuideProgress,
    GuideProvenance,
    SourceGuide,
    SuggestedQuestion,
    guide_key,
)
from rag.guide.writer import GuideWriter, parse_guide_reply, rule_topics

__all__ = ["GUIDE_SCHEMA", "FindPassage", "GuideProgress", "GuideProvenance", "GuideWriter", "SourceGuide",
           "SuggestedQuestion", "guide_key", "parse_guide_reply", "render_guide", "rule_topics"]
