"""Alliantiemonitor: the working alliance monitor for (semi-)mandated social work."""

__version__ = "0.1.0"
