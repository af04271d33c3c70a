"""Registry writes: create, update, retire and import, each audited with its event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from yingji.accounts.schemas import has_role, require_role
from yingji.accounts.scoping import covers_division
from yingji.core.errors import FieldError, PermissionDenied, ValidationFailed
from yingji.core.excel import parse_upload
from yingji.core.messages import pydantic_reason
from yingji.core.uow import UnitOfWork
from yingji.geo.models import Site
from yingji.geo.queries import find_division, list_divisions
from yingji.geo.service import move_site, place_site, resolve_division
from yingji.registry.events import RecordCreated, RecordRetired, RecordUpdated
from yingji.registry.privacy import drop_masked_echoes, mask_reads, reveals
from yingji.registry.queries import get_row, row_values, to_reads
from yingji.registry.spec import RegistrySpec

LOCATION_KEYS = ("longitude", "latitude", "division_code", "address")


def _require_role(uow: UnitOfWork, spec: RegistrySpec, *, create: bool) -> None:
    if uow.actor.is_system:
        return
    roles = spec.creator_roles if (create and spec.creator_roles is not None) else spec.writer_roles
    require_role(uow.actor, roles, f"无权{'新建' if create else '修改'}{spec.title}")


def _check_scope(uow: UnitOfWork, spec: RegistrySpec, code: str) -> None:
    if not spec.scoped:
        return  # reference data: the writer roles alone decide (see RegistrySpec.scoped)
    if not covers_division(uow.actor, code):
        raise ValidationFailed([FieldError("division_code", f"行政区划 {code} 不在您的管辖范围内")])


def _district_code(uow: UnitOfWork) -> str | None:
    # District-wide reference rows are filed under the district (the root division).
    districts = list_divisions(uow.session, level="district")
    return districts[0].code if districts else None


def _snapshot(uow: UnitOfWork, spec: RegistrySpec, row: Any, site: Site | None) -> dict[str, Any]:
    read = to_reads(uow.session, spec, [(row, site)])[0]
    return dict(read.model_dump(mode="json"))


def _shown(uow: UnitOfWork, spec: RegistrySpec, reads: Sequence[Any]) -> list[Any]:
    # What a write answers is what a read would show this actor (the audit keeps it whole).
    return mask_reads(uow.session, spec, uow.actor, reads)


def _validate(uow: UnitOfWork, spec: RegistrySpec, values: dict[str, Any], row: Any) -> None:
    errors = spec.validate(uow.session, values, row) if spec.validate is not None else []
    if spec.validate_for_actor is not None:
        errors = [*errors, *spec.validate_for_actor(uow, values, row)]
    if errors:
        raise ValidationFailed(errors)


def _build(
    uow: UnitOfWork, spec: RegistrySpec, data: BaseModel
) -> tuple[Any, Site | None, dict[str, Any]]:
    values = data.model_dump()
    location = {k: values.pop(k, None) for k in LOCATION_KEYS} if spec.sited else {}
    _validate(uow, spec, {**values, **location}, None)
    now = uow.clock.now()
    site: Site | None = None
    fields = {k: v for k, v in values.items() if hasattr(spec.model, k)}
    if spec.sited:
        site = place_site(
            uow,
            kind=spec.entity,
            name=str(values.get("name") or spec.title),
            longitude=location["longitude"],
            latitude=location["latitude"],
            division_code=location["division_code"],
            address=location["address"],
        )
        _check_scope(uow, spec, site.division_code)
    else:
        code = values.get("division_code")
        if not code and not spec.scoped:
            code = _district_code(uow)
            values["division_code"] = code
            fields["division_code"] = code
        if not code or find_division(uow.session, code) is None:
            raise ValidationFailed([FieldError("division_code", f"行政区划 {code} 不存在")])
        _check_scope(uow, spec, code)
    row = spec.model(**fields, created_at=now, updated_at=now)
    return row, site, values


def _created(
    uow: UnitOfWork,
    spec: RegistrySpec,
    rows: Sequence[tuple[Any, Site | None]],
    values: Sequence[dict[str, Any]],
) -> list[Any]:
    if spec.after_write is not None:
        for (row, _), vals in zip(rows, values, strict=True):
            spec.after_write(uow, row, vals)
        uow.session.flush()
    reads = to_reads(uow.session, spec, rows)
    for read in reads:
        snapshot = dict(read.model_dump(mode="json"))
        uow.audit(spec.audit_action("create"), spec.table, read.id, after=snapshot)
        uow.add_event(
            RecordCreated(registry=spec.name, record_id=read.id, division_code=read.division_code)
        )
    return _shown(uow, spec, reads)


def create_record(uow: UnitOfWork, spec: RegistrySpec, data: BaseModel) -> Any:
    """Create a registry record (and its site) inside the actor's jurisdiction."""
    _require_role(uow, spec, create=True)
    row, site, values = _build(uow, spec, data)
    if site is not None:
        uow.session.add(site)
        uow.session.flush()
        row.site_id = site.id
    uow.session.add(row)
    uow.session.flush()
    return _created(uow, spec, [(row, site)], [values])[0]


def _refuse_nulls(spec: RegistrySpec, changes: dict[str, Any]) -> None:
    # PATCH {"field": null} clears a field: refused (422, not a database error) for the
    # columns a record cannot do without.
    required = {c.key for c in spec.model.__table__.columns if not c.nullable}
    errors = [FieldError(k, "不能为空") for k, v in changes.items() if v is None and k in required]
    if errors:
        raise ValidationFailed(errors)


def update_record(uow: UnitOfWork, spec: RegistrySpec, record_id: int, data: BaseModel) -> Any:
    """Apply the fields set in ``data`` to a record the actor may see and change."""
    row, site = get_row(uow.session, spec, uow.actor, record_id)
    _require_role(uow, spec, create=False)
    if row.retired_at is not None:
        raise ValidationFailed([FieldError("id", "记录已停用，不能修改")])
    # A personal value sent back as it was shown (masked) keeps the stored value.
    changes = drop_masked_echoes(spec, row_values(row, site), data.model_dump(exclude_unset=True))
    before = _snapshot(uow, spec, row, site)
    location = {k: changes.pop(k) for k in LOCATION_KEYS if k in changes}
    _refuse_nulls(spec, changes)
    merged = {**row_values(row, site), **changes, **location}
    _validate(uow, spec, merged, row)
    for key, value in changes.items():
        if hasattr(row, key) and key not in {"id", "site_id", "created_at"}:
            setattr(row, key, value)
    if site is not None:
        if location:
            move_site(uow, site, **location)
            _check_scope(uow, spec, site.division_code)
        if "name" in changes:
            site.name = changes["name"]
    elif location.get("division_code"):
        # A record without a point moves by its division code alone.
        code = resolve_division(uow.session, location["division_code"], 0.0, 0.0)
        _check_scope(uow, spec, code)
        row.division_code = code
    row.updated_at = uow.clock.now()
    uow.session.flush()
    if spec.after_write is not None:
        spec.after_write(uow, row, merged)
    after = _snapshot(uow, spec, row, site)
    changed = sorted(k for k in after if before.get(k) != after.get(k) and k != "updated_at")
    uow.audit(spec.audit_action("update"), spec.table, row.id, before=before, after=after)
    uow.add_event(
        RecordUpdated(
            registry=spec.name,
            record_id=row.id,
            division_code=after["division_code"],
            changed=changed,
        )
    )
    return _shown(uow, spec, to_reads(uow.session, spec, [(row, site)]))[0]


def retire_record(uow: UnitOfWork, spec: RegistrySpec, record_id: int, reason: str) -> Any:
    """Retire a record (it stays for history and references; lists hide it by default)."""
    row, site = get_row(uow.session, spec, uow.actor, record_id)
    _require_role(uow, spec, create=False)
    retirers = spec.retirer_roles
    if retirers is not None and not has_role(uow.actor, retirers, or_system=True):
        raise PermissionDenied(f"无权停用{spec.title}")
    if row.retired_at is not None:
        # Retiring twice changes nothing.
        return _shown(uow, spec, to_reads(uow.session, spec, [(row, site)]))[0]
    row.retired_at = uow.clock.now()
    row.retired_reason = reason
    row.updated_at = row.retired_at
    uow.session.flush()
    read = to_reads(uow.session, spec, [(row, site)])[0]
    uow.audit(
        spec.audit_action("retire"),
        spec.table,
        row.id,
        reason=reason,
        after=dict(read.model_dump(mode="json")),
    )
    uow.add_event(
        RecordRetired(
            registry=spec.name, record_id=row.id, division_code=read.division_code, reason=reason
        )
    )
    return _shown(uow, spec, [read])[0]


def import_workbook(
    uow: UnitOfWork, spec: RegistrySpec, content: bytes, *, dry_run: bool = False
) -> int:
    """Import every row of a workbook, or none: all errors are reported together."""
    _require_role(uow, spec, create=True)
    parsed = parse_upload(content, spec.sheet, spec.columns)
    if parsed.errors:
        raise ValidationFailed(parsed.errors, detail="导入文件有错误，未写入任何数据")
    headers = {c.key: c.header for c in spec.columns}
    errors: list[FieldError] = []
    built: list[tuple[Any, Site | None, dict[str, Any]]] = []
    for number, raw in zip(parsed.row_numbers, parsed.rows, strict=True):
        try:
            # An empty cell means "not given": the schema's default applies, not None.
            given = {k: v for k, v in raw.items() if v is not None}
            data = spec.create_schema.model_validate(given)
            built.append(_build(uow, spec, data))
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else "row"
                errors.append(
                    FieldError(
                        key,
                        pydantic_reason(err),
                        sheet=spec.sheet,
                        row=number,
                        column=headers.get(key, key),
                    )
                )
        except ValidationFailed as exc:
            errors.extend(
                FieldError(
                    e.field,
                    e.reason,
                    sheet=spec.sheet,
                    row=number,
                    column=headers.get(e.field, e.field),
                )
                for e in exc.errors
            )
    errors.extend(_duplicates_within(spec, parsed.rows, parsed.row_numbers, headers))
    if errors:
        raise ValidationFailed(errors, detail=f"导入文件有 {len(errors)} 处错误，未写入任何数据")
    if dry_run:
        return len(built)
    _insert_built(uow, spec, built)
    return len(built)


def _insert_built(
    uow: UnitOfWork, spec: RegistrySpec, built: Sequence[tuple[Any, Site | None, dict[str, Any]]]
) -> None:
    # One flush for the sites and one for the rows: an import of 10,000 rows must not pay a
    # round trip per row.
    sites = [site for _, site, _ in built if site is not None]
    uow.session.add_all(sites)
    uow.session.flush()
    for row, site, _ in built:
        if site is not None:
            row.site_id = site.id
    uow.session.add_all([row for row, _, _ in built])
    uow.session.flush()
    _created(uow, spec, [(row, site) for row, site, _ in built], [v for _, _, v in built])


def _duplicates_within(
    spec: RegistrySpec,
    rows: Sequence[dict[str, Any]],
    numbers: Sequence[int],
    headers: dict[str, str],
) -> list[FieldError]:
    # Unique keys must also be unique inside the file itself, not only against the table.
    errors: list[FieldError] = []
    for column in spec.model.__table__.columns:
        if not column.unique or column.key not in headers:
            continue
        seen: dict[Any, int] = {}
        for number, row in zip(numbers, rows, strict=True):
            value = row.get(column.key)
            if value in (None, ""):
                continue
            if value in seen:
                errors.append(
                    FieldError(
                        column.key,
                        f"与第 {seen[value]} 行重复",
                        sheet=spec.sheet,
                        row=number,
                        column=headers[column.key],
                    )
                )
            else:
                seen[value] = number
    return errors


def reveal_field(
    uow: UnitOfWork, spec: RegistrySpec, record_id: int, field_name: str, purpose: str
) -> Any:
    """Return one personal field of a record in full, audited with who, which and why.

    Only roles with the reveal right (``Settings.pii_reveal_roles``) may; others get 403.
    """
    if field_name not in spec.personal_fields:
        raise ValidationFailed([FieldError("field", f"{field_name} 不是可查看的个人信息字段")])
    if not purpose.strip():
        raise ValidationFailed([FieldError("purpose", "请填写查看用途")])
    if not reveals(uow.session, uow.actor):
        raise PermissionDenied("无权查看完整个人信息")
    row, site = get_row(uow.session, spec, uow.actor, record_id)
    uow.audit(
        spec.audit_action("reveal"),
        spec.table,
        row.id,
        after={"field": field_name},
        reason=purpose.strip()[:500],
    )
    return row_values(row, site).get(field_name)


def audit_export(uow: UnitOfWork, spec: RegistrySpec, filters: dict[str, Any]) -> None:
    """Record that the actor exported this registry's personal data in full (if they did)."""
    if spec.personal_fields and reveals(uow.session, uow.actor):
        fields = sorted(spec.personal_fields)
        uow.audit(
            spec.audit_action("export"),
            spec.table,
            "*",
            after={"fields": fields, "filters": {k: str(v) for k, v in filters.items()}},
            reason="导出含个人信息的台账",
        )
