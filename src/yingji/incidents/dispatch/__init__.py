"""Dispatch (调度).

resource recommendation and dispatch orders for teams, equipment and supplies.
"""
