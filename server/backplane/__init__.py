"""Sequencing and fan-out of ops per room: memory (one process) or Redis."""
