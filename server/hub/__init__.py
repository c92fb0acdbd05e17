"""The async layer: rooms, connections, fan-out, resume and presence."""
