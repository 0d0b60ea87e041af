"""Engagement: routing rules turn enriched posts into queue items for PR or support."""
