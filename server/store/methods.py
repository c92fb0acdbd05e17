"""The store of methods made in the editor: the record and the contract.

A saved method is its TOML text in the ``--methods-dir`` format plus who owns it.
The owner is a browser (``owner`` is the SHA-256 of a secret key only that browser
holds) until it is shared; ``owner_kind`` leaves room for other owners (a group)
without a migration. ``published`` makes it usable by everyone on the installation.

Invariants: ``replace`` writes only when the stored version is the one the caller
read (no lost update between two tabs); a record is stored and read as a whole.
"""

from __future__ import annotations

from typing import Literal, Protocol

import msgspec

OwnerKind = Literal["browser", "group"]


class SavedMethod(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    owner_kind: OwnerKind
    owner: str
    toml: str
    version: int = 1
    published: bool = False
    created_ms: int
    updated_ms: int


record_encoder = msgspec.msgpack.Encoder()
record_decoder = msgspec.msgpack.Decoder(SavedMethod)


class MethodStore(Protocol):
    async def create(self, record: SavedMethod) -> None: ...

    async def get(self, method_id: str) -> SavedMethod | None: ...

    async def replace(self, record: SavedMethod, expected_version: int) -> bool:
        """Store ``record`` if the stored one has ``expected_version``; False if it
        has another version or is gone."""

    async def delete(self, method_id: str) -> None: ...

    async def owned_by(self, owner_kind: OwnerKind, owner: str) -> list[SavedMethod]:
        """The owner's methods, oldest first."""

    async def published(self) -> list[SavedMethod]:
        """Methods published for the whole installation, oldest first."""

    async def close(self) -> None: ...
