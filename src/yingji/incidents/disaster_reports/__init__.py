"""Disaster reports (灾情报送): 初报/续报/核报 per township and disaster process.

Under 《自然灾害情况统计调查制度》 (应急〔2020〕19号): validation, deadlines, district totals
and the spreadsheet export the upstream 报灾系统 takes.
"""
