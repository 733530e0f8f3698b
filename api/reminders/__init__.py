"""Reminders of deadlines: policies, reminder rows, the sweep that sends them, and the channels."""
