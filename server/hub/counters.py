"""What a hub counts for operators (``/healthz``): plain integers, never reset while
the process lives, no content and no ids."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class HubCounters:
    ops_applied: int = 0
    """Sequenced ops this hub's replicas applied (load replay included). With session
    affinity at the load balancer each op is applied by one hub only."""
    rooms_loaded: int = 0
    """Rooms this hub loaded (a session moving here after a fail-over counts once)."""
