"""Law-enforcement inspections.

annual plan, 双随机 selection, checklists, records, orders and documents.
"""
