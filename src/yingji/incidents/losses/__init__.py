"""Disaster-loss reports (灾情报告): 初报/续报/核报 per township and disaster process."""
