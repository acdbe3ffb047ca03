"""The audit log's keys and MACs: pure functions over settings, no database.

The key that signs the chain (settings.HELHET_AUDIT_KEY, read from the environment or a file by
helhet/settings.py) is never stored in the database: an attacker who can write the audit tables cannot
recompute a valid HMAC. Every event and checkpoint stores the id of the key that signed it (`key_id`), so
after a rotation the old events are verified with the old key, kept in settings.HELHET_AUDIT_OLD_KEYS
(docs/operations.md, "Audit key rotation").

Used by services.record() (events), services.checkpoint_write() (checkpoints), audit_verify, and
migration 0005 (the legacy seal). Keep these functions stable: changing a payload layout breaks every
stored MAC.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64
# AuditCheckpoint.chain of the seal over the events written before keyed chains (migration 0005).
LEGACY_CHAIN = -1


class UnknownKey(LookupError):
    """An event or checkpoint names a key id that is neither the current key nor in HELHET_AUDIT_OLD_KEYS."""


def current_key_id() -> str:
    return settings.HELHET_AUDIT_KEY_ID


def keyring() -> dict[str, str]:
    """Every key id -> key the verifier knows: the old keys, then the current key (which wins on a clash)."""
    ring = dict(getattr(settings, "HELHET_AUDIT_OLD_KEYS", {}) or {})
    ring[settings.HELHET_AUDIT_KEY_ID] = settings.HELHET_AUDIT_KEY
    return ring


def key_for(key_id: str) -> bytes:
    try:
        return keyring()[key_id].encode()
    except KeyError:
        raise UnknownKey(key_id) from None


def canonical(content) -> bytes:
    """One byte layout for every MAC: sorted keys, no whitespace, non-JSON values as str."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def mac(key_id: str, content) -> str:
    return hmac.new(key_for(key_id), canonical(content), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a or "", b or "")


def checkpoint_content(*, chain: int, seq: int, head_hash: str, at, key_id: str) -> dict:
    """What a checkpoint's MAC covers (AuditCheckpoint.mac)."""
    return {
        "kind": "helhet.audit.checkpoint",
        "chain": int(chain),
        "seq": int(seq),
        "head_hash": head_hash,
        "at": at.isoformat(),
        "key_id": key_id,
    }


def checkpoint_mac(*, chain: int, seq: int, head_hash: str, at, key_id: str) -> str:
    return mac(key_id, checkpoint_content(chain=chain, seq=seq, head_hash=head_hash, at=at, key_id=key_id))
