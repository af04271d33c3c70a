"""The one row-to-schema mapper: read schemas built from ORM rows by attribute name.

Domains used to copy every column by hand (``id=row.id, name=row.name, …``), about a thousand
lines that drifted whenever a column was added. A read schema now subclasses :class:`ReadModel`
and is built with ``Schema.of(row, extra=…)``: every field is taken from the row's attribute of
the same name unless given as a keyword (renamed, computed or converted values, such as labels
or an enum's ``.value``). Validation still runs, so a missing or mistyped value fails loudly.
Domain events are built the same way (``Event.of`` in ``core.events``) through :func:`values_of`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

_MISSING = object()


def values_of(
    model: type[BaseModel],
    row: object,
    values: dict[str, Any],
    *,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Return ``model``'s field values: ``values`` first, else ``row``'s same-named attribute.

    Fields in ``skip`` are never read from the row (only from ``values``); a field found in
    neither is left out, so the model's default applies (or validation fails without one).
    """
    data: dict[str, Any] = {}
    for name in model.model_fields:
        if name in values:
            data[name] = values[name]
            continue
        if name in skip:
            continue
        value = getattr(row, name, _MISSING)
        if value is not _MISSING:
            data[name] = value
    unknown = set(values) - set(model.model_fields)
    if unknown:
        # A misspelt keyword would otherwise vanish without a trace.
        raise TypeError(f"{model.__name__}.of: unknown fields {sorted(unknown)}")
    return data


class ReadModel(BaseModel):
    """Base for read schemas; ``model_validate(row)`` also works (``from_attributes``)."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, row: object, /, **values: Any) -> Self:
        """Build from ``row``'s attributes; keyword ``values`` fill in or override fields.

        A field neither on the row nor in ``values`` is left to its default (or fails
        validation when it has none), never silently ``None``.
        """
        return cls.model_validate(values_of(cls, row, values))


class PatchModel(BaseModel):
    """Base for PATCH bodies: a field left out is unchanged, a field sent as ``null`` clears it.

    Only the fields named in ``NULLABLE`` may be cleared; ``null`` for any other (a name, a
    required count) is refused as 422 on that field instead of reaching a NOT NULL column
    as a server error.
    """

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse an explicit null for a field that cannot be cleared."""
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("不能为空：不修改请不要提交此字段")
        return value
