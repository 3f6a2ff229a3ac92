"""Pure-Python core: instruments, scoring, change and synthetic data. No Django imports."""
