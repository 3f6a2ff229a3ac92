"""Small helpers that every app may use: no models, no domain rules, nothing of the apps.

The layer just above the core (see ``[tool.importlinter]`` in pyproject.toml): it may use
Django and the core, and every app may import it.
"""
