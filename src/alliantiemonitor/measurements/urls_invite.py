"""Filled in by the monitor-flow work (issue 3)."""

urlpatterns: list = []
