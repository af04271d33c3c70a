"""The one row-to-schema mapper: read schemas built from ORM rows by attribute name.

Domains used to copy every column by hand (``id=row.id, name=row.name, …``), about a thousand
lines that drifted whenever a column was added. A read schema now subclasses :class:`ReadModel`
and is built with ``Schema.of(row, extra=…)``: every field is taken from the row's attribute of
the same name unless given as a keyword (renamed, computed or converted values, such as labels
or an enum's ``.value``). Validation still runs, so a missing or mistyped value fails loudly.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict

_MISSING = object()


class ReadModel(BaseModel):
    """Base for read schemas; ``model_validate(row)`` also works (``from_attributes``)."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, row: object, /, **values: Any) -> Self:
        """Build from ``row``'s attributes; keyword ``values`` fill in or override fields.

        A field neither on the row nor in ``values`` is left to its default (or fails
        validation when it has none), never silently ``None``.
        """
        data: dict[str, Any] = {}
        for name in cls.model_fields:
            if name in values:
                data[name] = values[name]
                continue
            value = getattr(row, name, _MISSING)
            if value is not _MISSING:
                data[name] = value
        unknown = set(values) - set(cls.model_fields)
        if unknown:
            # A misspelt keyword would otherwise vanish without a trace.
            raise TypeError(f"{cls.__name__}.of: unknown fields {sorted(unknown)}")
        return cls.model_validate(data)
