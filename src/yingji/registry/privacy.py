"""Personal fields of registries: masking for roles without the reveal right, and its audit.

One place for the whole kit: every read the API, pages and Excel exports show passes through
``mask_reads``; an edit that posts back the masked value keeps the stored one
(``drop_masked_echoes``), so a township officer can edit an expert without knowing the phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from yingji.core.actor import Actor
from yingji.core.privacy import can_reveal, mask_value
from yingji.registry.spec import RegistrySpec
from yingji.settings import Settings


def reveal_roles(session: Session) -> frozenset[str]:
    """Return the roles that see personal fields in full (the deployment's setting)."""
    found = session.info.get("settings")
    settings = found if isinstance(found, Settings) else Settings()
    return frozenset(settings.pii_reveal_roles)


def reveals(session: Session, actor: Actor) -> bool:
    """Tell whether ``actor`` sees personal fields in full."""
    return can_reveal(actor, reveal_roles(session))


def mask_reads(
    session: Session, spec: RegistrySpec, actor: Actor, reads: Sequence[Any]
) -> list[Any]:
    """Return ``reads`` with the spec's personal fields masked unless the actor may see them."""
    if not spec.personal_fields or reveals(session, actor):
        return list(reads)
    out = []
    for read in reads:
        changes = {
            name: mask_value(getattr(read, name))
            for name in spec.personal_fields
            if getattr(read, name, None) is not None
        }
        out.append(read.model_copy(update=changes))
    return out


def drop_masked_echoes(
    spec: RegistrySpec, stored: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """Return ``changes`` with personal values that only echo the masked stored one undone.

    A field equal to the masked stored value is left out (kept as stored); in a list (an
    enterprise's contacts) each item equal to a stored item's masked form is that item again.
    """
    out = dict(changes)
    for name in spec.personal_fields:
        if name not in out or out[name] == stored.get(name):
            continue
        current, value = stored.get(name), out[name]
        if _comparable(value) == _comparable(mask_value(current)):
            del out[name]
        elif isinstance(value, list) and isinstance(current, list):
            originals = {_key(mask_value(item)): item for item in current}
            out[name] = [originals.get(_key(item), item) for item in value]
    return out


def _key(item: Any) -> str:
    return repr(_comparable(item))


def _comparable(value: Any) -> Any:
    # Posted contacts come back as dicts perhaps with keys in another order, or pydantic models.
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return sorted((str(k), _comparable(v)) for k, v in value.items())
    return value
