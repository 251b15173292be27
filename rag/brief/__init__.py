"""Briefings: multi-source, cited, verified reports that show who says what."""

from rag.brief.pipeline import STAGES, BriefOptions, BriefPipeline, BriefProgress
from rag.brief.types import Briefing, BriefSection, BriefSentence, ClaimGroup, TimelineEvent
from rag.brief.write import SECTION_TITLES

__all__ = ["SECTION_TITLES", "STAGES", "BriefOptions", "BriefPipeline", "BriefProgress", "BriefSection",
           "BriefSentence", "Briefing", "ClaimGroup", "TimelineEvent"]
