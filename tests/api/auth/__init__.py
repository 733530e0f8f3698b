"""Tests of signing in, sessions, throttling and API tokens."""
