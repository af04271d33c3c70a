"""Rescue teams (救援队伍) and the emergency equipment (应急装备) they or departments own."""
