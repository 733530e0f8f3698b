"""Tests of organisations and people."""
