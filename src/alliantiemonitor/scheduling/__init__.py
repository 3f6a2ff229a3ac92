"""Schedules of measurement rounds, client contact and consent, reminders and digests by e-mail."""
