"""Emergency supplies (应急物资): the GB/T 38565 catalogue, warehouses and the stock ledger."""
