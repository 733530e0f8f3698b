"""Completed documents: claim templates rendered with a case's facts, reviewed and filed."""
