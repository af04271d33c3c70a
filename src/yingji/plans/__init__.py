"""Emergency plans (应急预案).

versions, response levels, activation criteria, task templates, drills.
"""
