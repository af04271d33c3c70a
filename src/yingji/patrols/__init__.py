"""Grid patrols (网格巡查) and public reports (举报).

tracks, field reports, routing, dedupe, replies, rewards.
"""
