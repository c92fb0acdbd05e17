"""Encoders and decoders, built once."""

from __future__ import annotations

import msgspec

from shared_schema.client import ClientMessage
from shared_schema.server import ServerMessage

client_decoder: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)
server_decoder: msgspec.json.Decoder[ServerMessage] = msgspec.json.Decoder(ServerMessage)
encoder = msgspec.json.Encoder()
