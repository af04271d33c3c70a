"""Evacuation (转移安置): assignment of affected villages to shelters by min-cost flow."""
