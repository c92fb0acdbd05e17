"""Intervisiebord server: hub, backplane, store and the pure board core."""
