"""Emergency resources: rescue teams, supplies and warehouses, shelters, equipment, experts."""
