"""Errors of the audit log."""


class AuditLogImmutable(Exception):
    """An audit event was about to be changed or deleted; the log is append-only."""
