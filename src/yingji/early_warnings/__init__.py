"""Early warnings (预警).

compose, approve, publish, update, lift; CAP 1.2 export and import; targeting.
"""
