"""Risks (双重预防): risk points and assessments (LEC / LS), major hazards per GB 18218-2018.

Sits above resources and enterprises (it references enterprises by id) and below the
one map and the demo.
"""
