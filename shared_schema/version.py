"""Protocol version, checked in the hello/welcome handshake.

Bump it only for changes an older peer cannot read; new optional fields with
defaults do not need a bump (msgspec schema-evolution rules).
"""

PROTOCOL_VERSION = 1
