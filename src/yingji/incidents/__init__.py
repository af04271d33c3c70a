"""Incidents (突发事件): intake, grading, reporting deadlines, timeline, tasks."""
