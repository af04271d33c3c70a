"""Review (复盘).

timeline, response times, task completion and problems after an incident closes.
"""
