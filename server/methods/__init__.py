"""Intervision methods as data files (TOML), validated on load."""
