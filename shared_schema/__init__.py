"""Wire and board types shared by the server and the browser client.

This package is the single source of truth for the protocol: the board model, the
client message union and the server message union. ``python -m shared_schema`` writes
the JSON Schema that web/ and the docs use.
"""

from shared_schema.version import PROTOCOL_VERSION

__all__ = ["PROTOCOL_VERSION"]
