"""Test support: a real-socket board client and a server subprocess."""
