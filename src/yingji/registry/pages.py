"""Registry pages, generated from the RegistrySpec alone: list, detail, new, edit, retire, import.

Every page acts as the signed-in user through the same scoped queries and audited services
as the API: another township's record is a 404 page here as it is a 404 answer there.
Forms post back to the page that showed them; a refused form is shown again with each
reason under its field (422), a saved one redirects (303) to the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from yingji.accounts.pages import install_error_page as _install_error_page
from yingji.accounts.pages import render_page
from yingji.core.actor import Actor
from yingji.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from yingji.core.excel import read_limited
from yingji.core.pagination import PageParams
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, endpoints, mark_nav
from yingji.registry import queries, service
from yingji.registry.display import column_label, detail_rows, list_cells
from yingji.registry.forms import (
    FormField,
    attach_errors,
    defaults,
    fill,
    form_fields,
    parse_form,
    validation_errors,
)
from yingji.registry.page_parts import (
    PAGE_SIZE,
    can_create,
    can_retire,
    can_write,
    division_choices,
    filter_fields,
    map_config,
    query_string,
)
from yingji.registry.privacy import drop_masked_echoes
from yingji.registry.spec import RegistrySpec
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

_SPEC_MARK = "__yingji_registry__"


def install_error_page(app: FastAPI) -> None:
    """Make page-level domain errors answer with the error page (bootstrap calls this)."""
    _install_error_page(app)


def mounted_specs(routes: Sequence[Any]) -> list[RegistrySpec]:
    """Return the registries whose pages the app serves, in menu order."""
    found: list[RegistrySpec] = []
    for endpoint in endpoints(routes):
        spec = getattr(endpoint, _SPEC_MARK, None)
        if isinstance(spec, RegistrySpec) and spec not in found:
            found.append(spec)
    return found


def _record_id(raw: str, spec: RegistrySpec) -> int:
    if not raw.isdigit():
        raise NotFound(f"{spec.title}记录不存在")
    return int(raw)


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else 1


def _list_page(
    request: Request,
    spec: RegistrySpec,
    actor: Actor,
    session: Session,
    *,
    import_errors: list[FieldError] | None = None,
    import_message: str | None = None,
    status: int = 200,
) -> Response:
    query = request.query_params
    fields, filters, warnings = filter_fields(spec, session, actor, query)
    params = PageParams(page=_page_number(query.get("page")), size=PAGE_SIZE)
    page = queries.page_records(session, spec, actor, params, filters)
    tz = request.app.state.ctx.settings.timezone
    rows = [(rec, list_cells(spec, rec, tz)) for rec in page.items]
    context = {
        "title": spec.title,
        "spec": spec,
        "filters": fields,
        "warnings": warnings,
        "headers": [column_label(spec, name) for name in spec.list_fields],
        "rows": rows,
        "page": page,
        "filter_query": query_string(fields),
        "can_create": can_create(spec, actor),
        "import_errors": import_errors,
        "import_message": import_message,
    }
    return render_page(request, actor, "registry/list.html", context, status)


def _detail_page(
    request: Request,
    spec: RegistrySpec,
    actor: Actor,
    session: Session,
    record_id: int,
    *,
    retire_error: str | None = None,
    status: int = 200,
) -> Response:
    record = queries.get_record(session, spec, actor, record_id)
    context = {
        "title": f"{spec.title} · {getattr(record, 'name', record.id)}",
        "spec": spec,
        "record": record,
        "rows": detail_rows(spec, record, request.app.state.ctx.settings.timezone),
        "can_write": can_write(spec, actor) and record.retired_at is None,
        "can_retire": can_retire(spec, actor) and record.retired_at is None,
        "map": map_config(request),
        "retire_error": retire_error,
    }
    return render_page(request, actor, "registry/detail.html", context, status)


def _form_page(
    request: Request,
    spec: RegistrySpec,
    actor: Actor,
    session: Session,
    fields: list[FormField],
    *,
    record: Any = None,
    general: Sequence[str] = (),
    status: int = 200,
) -> Response:
    for f in fields:
        if f.name == "division_code":
            levels = ("district", "township", "village")
            f.kind, f.choices = "select", division_choices(session, actor, levels)
            if spec.sited and record is not None:
                current = f"{record.division_name or ''}（{record.division_code}）"
                f.help = f"当前：{current}。留空则保持，移动位置后按经纬度重新判定"
            elif spec.sited:
                f.help = "留空则按经纬度自动判定"
    base = f"/{spec.name}"
    context = {
        "title": f"编辑{spec.title}" if record is not None else f"新建{spec.title}",
        "spec": spec,
        "record": record,
        "fields": [f for f in fields if not f.location],
        "location": [f for f in fields if f.location],
        "general": list(general),
        "action": f"{base}/{record.id}/edit" if record is not None else f"{base}/new",
        "cancel": f"{base}/{record.id}" if record is not None else base,
        "map": map_config(request),
    }
    return render_page(request, actor, "registry/form.html", context, status)


def _save(
    request: Request,
    spec: RegistrySpec,
    actor: Actor,
    ctx: AppContext,
    form: FormData,
    record_id: int | None,
) -> Response:
    schema = spec.update_schema if record_id is not None else spec.create_schema
    fields = form_fields(spec, schema)
    data, errors = parse_form(fields, form, ctx.settings.timezone, editing=record_id is not None)
    if record_id is not None and spec.personal_fields:
        # The edit form showed personal fields masked: posted back unchanged, they keep the
        # stored value (and need not match the phone pattern).
        with ctx.session_factory() as session:
            stored = queries.row_values(*queries.get_row(session, spec, actor, record_id))
        data = drop_masked_echoes(spec, stored, data)
    body = None
    try:
        body = schema.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc, errors)  # every field's reason at once
    if body is not None and not errors:
        try:
            with ctx.uow(actor) as uow:
                if record_id is None:
                    saved = service.create_record(uow, spec, body)
                else:
                    saved = service.update_record(uow, spec, record_id, body)
                uow.commit()
            flash(request, "已保存")
            return RedirectResponse(f"/{spec.name}/{saved.id}", status_code=303)
        except ValidationFailed as exc:
            errors = list(exc.errors) or [FieldError("form", exc.detail)]
    general = attach_errors(fields, errors)
    with ctx.session_factory() as session:
        record = None
        if record_id is not None:
            record = queries.get_record(session, spec, actor, record_id)
        return _form_page(
            request, spec, actor, session, fields, record=record, general=general, status=422
        )


def _import(
    request: Request, spec: RegistrySpec, actor: Actor, ctx: AppContext, form: FormData
) -> Response:
    upload = form.get("file")
    content = read_limited(upload.file) if isinstance(upload, UploadFile) else b""
    errors: list[FieldError]
    if not content:
        errors, message = [], "请选择要导入的 Excel 文件（.xlsx）"
    else:
        try:
            with ctx.uow(actor) as uow:
                created = service.import_workbook(uow, spec, content)
                uow.commit()
            flash(request, f"成功导入 {created} 条")
            return RedirectResponse(f"/{spec.name}", status_code=303)
        except ValidationFailed as exc:
            errors, message = list(exc.errors), exc.detail
    with ctx.session_factory() as session:
        return _list_page(
            request, spec, actor, session, import_errors=errors, import_message=message, status=422
        )


def build_pages(spec: RegistrySpec) -> APIRouter:
    """Return the router serving one registry's pages under ``/<spec.name>``."""
    router = APIRouter(include_in_schema=False)
    base = f"/{spec.name}"

    def list_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
        queries.check_readable(spec, actor)
        return _list_page(request, spec, actor, session)

    entry = NavEntry(
        spec.nav_group, spec.title, base, frozenset(r.value for r in spec.reader_roles)
    )
    setattr(mark_nav(list_page, entry), _SPEC_MARK, spec)
    router.add_api_route(base, list_page, methods=["GET"], name=f"{spec.name}:page-list")

    def import_page(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
        return _import(request, spec, actor, ctx, form)

    router.add_api_route(f"{base}/import", import_page, methods=["POST"])

    def new_form(request: Request, actor: PageActor, session: ReadSession) -> Response:
        if not can_create(spec, actor):
            raise PermissionDenied(f"无权新建{spec.title}")
        fields = form_fields(spec, spec.create_schema)
        fill(fields, defaults(spec.create_schema), request.app.state.ctx.settings.timezone)
        return _form_page(request, spec, actor, session, fields)

    def create(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
        return _save(request, spec, actor, ctx, form, None)

    router.add_api_route(f"{base}/new", new_form, methods=["GET"], name=f"{spec.name}:page-new")
    router.add_api_route(f"{base}/new", create, methods=["POST"])

    def detail(
        request: Request, record_id: str, actor: PageActor, session: ReadSession
    ) -> Response:
        return _detail_page(request, spec, actor, session, _record_id(record_id, spec))

    router.add_api_route(f"{base}/{{record_id}}", detail, methods=["GET"])

    def edit_form(
        request: Request, record_id: str, actor: PageActor, session: ReadSession
    ) -> Response:
        record = queries.get_record(session, spec, actor, _record_id(record_id, spec))
        if not can_write(spec, actor):
            raise PermissionDenied(f"无权修改{spec.title}")
        if record.retired_at is not None:
            raise Conflict("记录已停用，不能修改")
        fields = form_fields(spec, spec.update_schema)
        tz = request.app.state.ctx.settings.timezone
        fill(fields, {f.name: getattr(record, f.name, None) for f in fields}, tz)
        for f in fields:
            if spec.sited and f.name == "division_code":
                f.value = ""  # blank keeps the division, or re-resolves it after a move
        return _form_page(request, spec, actor, session, fields, record=record)

    def update(
        request: Request, record_id: str, actor: PageActor, form: CheckedForm, ctx: Ctx
    ) -> Response:
        return _save(request, spec, actor, ctx, form, _record_id(record_id, spec))

    router.add_api_route(f"{base}/{{record_id}}/edit", edit_form, methods=["GET"])
    router.add_api_route(f"{base}/{{record_id}}/edit", update, methods=["POST"])

    def retire(
        request: Request, record_id: str, actor: PageActor, form: CheckedForm, ctx: Ctx
    ) -> Response:
        rid = _record_id(record_id, spec)
        reason = str(form.get("reason") or "").strip()
        if reason:
            with ctx.uow(actor) as uow:
                service.retire_record(uow, spec, rid, reason[:500])
                uow.commit()
            flash(request, "已停用")
            return RedirectResponse(f"{base}/{rid}", status_code=303)
        with ctx.session_factory() as session:
            return _detail_page(
                request, spec, actor, session, rid, retire_error="请填写停用原因", status=422
            )

    router.add_api_route(f"{base}/{{record_id}}/retire", retire, methods=["POST"])
    return router
