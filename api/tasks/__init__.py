"""Celery: the app factory and the task shims. Tasks only call services."""
