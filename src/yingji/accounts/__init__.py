"""Accounts: users, departments, roles, jurisdiction scopes, login and API tokens."""
