"""Organisations, the people in them and their roles, and partner organisations."""
