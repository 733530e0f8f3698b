"""Signing in: passwords with throttling, staff second factor, sessions and personal API tokens."""
