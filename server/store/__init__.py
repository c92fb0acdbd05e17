"""Durable storage of sessions, the op log and snapshots."""
