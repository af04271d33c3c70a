"""HTML forms generated from a registry's pydantic schemas: widgets, parsing, field errors.

The schema stays the one source of truth: the form shows its fields with their titles, the
posted strings are turned into the shapes the schema expects, and the same schema (then the
registry service) validates them. Types the generic form cannot offer a widget for fall back
to a JSON textarea rather than failing.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from yingji.core.clock import attach_local, to_local
from yingji.core.errors import FieldError
from yingji.core.messages import pydantic_reason
from yingji.registry.spec import RegistrySpec

LOCATION_FIELDS = ("longitude", "latitude", "division_code", "address")
LIST_SPLIT = re.compile(r"[、,，;；\n]+")
CJK = re.compile(r"[\u4e00-\u9fff]")
REQUIRED = "必填项"
NOT_JSON = "JSON 格式错误"
# Labels for fields the registry kit adds to every record (the schemas leave them untitled).
META_LABELS = {
    "id": "编号",
    "division_code": "所属行政区划",
    "division_name": "所属区划",
    "longitude": "经度",
    "latitude": "纬度",
    "address": "地址",
    "created_at": "创建时间",
    "updated_at": "更新时间",
    "retired_at": "停用时间",
    "retired_reason": "停用原因",
    "q": "关键字",
}


@dataclass
class FormField:
    """One form control: its widget kind, label, choices, current value and error."""

    name: str
    label: str
    kind: str  # text textarea number checkbox select multi list date datetime json
    required: bool = False
    nullable: bool = True  # may be cleared on edit (the record's column accepts None)
    step: str | None = None
    maxlength: int | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    values: list[str] = field(default_factory=list)  # multi: the checked values
    error: str | None = None
    help: str | None = None

    @property
    def location(self) -> bool:
        """Tell whether the field is part of the record's location."""
        return self.name in LOCATION_FIELDS


def _bare(annotation: Any) -> Any:
    # Annotated[X, validators...] → X: the widget depends on the type, not its checks.
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def unwrap_optional(annotation: Any) -> Any:
    """Return ``X`` for ``X | None`` (and Optional[X]); other annotations unchanged."""
    annotation = _bare(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _bare(args[0])
    return annotation


def choices_of(annotation: Any) -> list[str] | None:
    """Return the allowed values of an Enum or Literal annotation, else None."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return None


def label_of(spec: RegistrySpec, name: str, info: FieldInfo | None) -> str:
    """Return the Chinese label of a field: its title, the Excel header, or a kit label."""
    if info is not None and info.title:
        return info.title
    headers = {c.key: c.header for c in spec.columns}
    return headers.get(name) or META_LABELS.get(name) or name


def _meta(info: FieldInfo, key: str) -> Any:
    for item in info.metadata:
        value = getattr(item, key, None)
        if value is not None:
            return value
    return None


def _widget(name: str, annotation: Any, info: FieldInfo) -> dict[str, Any]:
    inner = unwrap_optional(annotation)
    options = choices_of(inner)
    if options is not None:
        return {"kind": "select", "options": options}
    if inner is bool:
        return {"kind": "checkbox"}
    if inner is int:
        return {"kind": "number", "step": "1"}
    if inner is float:
        return {"kind": "number", "step": "any"}
    if inner is Decimal:
        places = _meta(info, "decimal_places")
        step = "any" if places is None else ("1" if places == 0 else f"0.{'0' * (places - 1)}1")
        return {"kind": "number", "step": step}
    if inner is datetime:
        return {"kind": "datetime"}
    if inner is date:
        return {"kind": "date"}
    if inner is str:
        length = _meta(info, "max_length")
        return {"kind": "textarea" if length and length > 300 else "text", "maxlength": length}
    if get_origin(inner) is list:
        item = unwrap_optional((get_args(inner) or (Any,))[0])
        item_options = choices_of(item)
        if item_options is not None:
            return {"kind": "multi", "options": item_options}
        if item is str:
            return {"kind": "list"}
    return {"kind": "json"}


def _accepts_none(annotation: Any) -> bool:
    return unwrap_optional(annotation) is not _bare(annotation) or annotation is Any


def _help(kind: str, annotation: Any, info: FieldInfo) -> str | None:
    if kind == "list":
        return "多项以、分隔"
    if kind == "json":
        inner = unwrap_optional(annotation)
        item = get_args(inner)[0] if get_origin(inner) is list and get_args(inner) else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            keys = "、".join(f"{k}（{f.title or k}）" for k, f in item.model_fields.items())
            return f"JSON 数组，每项可含：{keys}"
        return "JSON 格式"
    # Descriptions written for API integrators (English) are not shown to people.
    text = info.description or ""
    return text if CJK.search(text) else None


def form_fields(
    spec: RegistrySpec, schema: type[BaseModel], *, location_last: bool = True
) -> list[FormField]:
    """Return the controls for ``schema``'s fields (the location fields last in a record form).

    Whether a field is required or may be cleared is read from the create schema, so the
    edit form (whose schema makes everything optional) asks for the same things.
    """
    create = spec.create_schema.model_fields
    out: list[FormField] = []
    for name, info in schema.model_fields.items():
        widget = _widget(name, info.annotation, info)
        labels = spec.choice_labels.get(name, {})
        base = create.get(name, info)
        out.append(
            FormField(
                name=name,
                label=label_of(spec, name, info),
                kind=widget["kind"],
                required=base.is_required(),
                nullable=_accepts_none(base.annotation),
                step=widget.get("step"),
                maxlength=widget.get("maxlength"),
                choices=[(o, labels.get(o, o)) for o in widget.get("options", [])],
                help=_help(widget["kind"], info.annotation, info),
            )
        )
    if spec.sited:
        for f in out:
            if f.name in ("longitude", "latitude"):
                f.step = "any"
    if location_last:
        out.sort(key=lambda f: LOCATION_FIELDS.index(f.name) + 1 if f.location else 0)
    return out


def defaults(schema: type[BaseModel]) -> dict[str, Any]:
    """Return the default value of every field that has one (the new-record form)."""
    out: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        if not info.is_required():
            out[name] = info.get_default(call_default_factory=True)
    return out


def _shown(value: Any, kind: str, timezone: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if kind == "checkbox":
        return "on" if value else ""
    if kind == "list" and isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if kind == "datetime" and isinstance(value, datetime):
        local = to_local(value, timezone) if value.tzinfo else value
        return local.strftime("%Y-%m-%dT%H:%M")
    if kind == "json":
        plain = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        if isinstance(plain, list):
            plain = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in plain]
        return json.dumps(plain, ensure_ascii=False, indent=1, default=str)
    return str(value)


def fill(fields: list[FormField], values: Mapping[str, Any], timezone: str) -> None:
    """Set each control's value from a record's values (the edit form)."""
    for f in fields:
        value = values.get(f.name)
        if f.kind == "multi":
            items = value or []
            f.values = [str(v.value if isinstance(v, Enum) else v) for v in items]
        else:
            f.value = _shown(value, f.kind, timezone)


def _parse_one(f: FormField, raw: str, timezone: str) -> Any:
    if f.kind == "list":
        return [part.strip() for part in LIST_SPLIT.split(raw) if part.strip()]
    if f.kind == "json":
        return json.loads(raw)
    if f.kind == "datetime":
        return attach_local(datetime.fromisoformat(raw), timezone)
    return raw


def parse_form(
    fields: list[FormField], form: Any, timezone: str, *, editing: bool
) -> tuple[dict[str, Any], list[FieldError]]:
    """Return the posted values shaped for the schema, and the fields that are missing.

    Every control keeps what was typed (``value``) so a refused form shows it again. A blank
    optional field is left out of a new record (its default applies) and cleared on edit.
    """
    data: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in fields:
        if f.kind == "multi":
            f.values = [str(v) for v in form.getlist(f.name)]
            data[f.name] = f.values
            continue
        if f.kind == "checkbox":
            f.value = "on" if form.get(f.name) else ""
            data[f.name] = bool(f.value)
            continue
        raw = str(form.get(f.name) or "").strip()
        f.value = raw
        if not raw:
            if f.required:
                errors.append(FieldError(f.name, REQUIRED))
            elif f.kind == "list":
                data[f.name] = []
            elif editing and f.nullable and f.name != "division_code":
                # A blank division on edit keeps it (or re-resolves it from a moved point).
                data[f.name] = None
            continue
        try:
            data[f.name] = _parse_one(f, raw, timezone)
        except ValueError:
            errors.append(FieldError(f.name, NOT_JSON if f.kind == "json" else "格式不正确"))
    return data, errors


def validation_errors(exc: ValidationError, known: Iterable[FieldError] = ()) -> list[FieldError]:
    """Return pydantic's errors as field errors (Chinese reasons) after those ``known``.

    Fields already refused while reading the form keep that reason only.
    """
    out = list(known)
    seen = {e.field for e in out}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = loc[0] if loc else "form"
        if name not in seen:
            out.append(FieldError(name, pydantic_reason(err)))
    return out


def attach_errors(fields: list[FormField], errors: Iterable[FieldError]) -> list[str]:
    """Put each error under its field; return those that belong to no field."""
    by_name = {f.name: f for f in fields}
    general: list[str] = []
    for err in errors:
        target = by_name.get(err.field.split(".", 1)[0])
        if target is None:
            label = META_LABELS.get(err.field, err.field)
            general.append(f"{label}：{err.reason}")
        elif target.error is None:
            target.error = err.reason
        else:
            target.error += "；" + err.reason
    return general
