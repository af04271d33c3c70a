"""The JSON API every registry gets: /api/v1/<collection>[/{id}][/retire], .geojson, Excel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile

from yingji.core.excel import build_template, export_rows, read_limited
from yingji.core.geojson import feature_collection, point_feature
from yingji.core.pagination import Page, PageParams
from yingji.registry import queries, service
from yingji.registry.schemas import ImportIssue, ImportResult, RetireRequest, RevealRead
from yingji.registry.spec import RegistrySpec
from yingji.web.deps import ApiActor, Ctx, ReadSession

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"


def _annotate(fn: Any, **annotations: Any) -> Any:
    # The schemas are only known per registry at runtime; FastAPI reads the signature's
    # annotations, so filling them in here keeps every endpoint fully typed in OpenAPI.
    fn.__annotations__.update(annotations)
    return fn


def filters_of(spec: RegistrySpec, params: Any) -> dict[str, Any]:
    """Return the filter values given in the query string."""
    return {k: v for k, v in params.model_dump().items() if v not in (None, "")}


def excel_filename(spec: RegistrySpec, suffix: str) -> str:
    """Return an ASCII-safe Content-Disposition for a workbook download."""
    from urllib.parse import quote

    quoted = quote(f"{spec.title}{suffix}.xlsx")
    # The plain filename must be Latin-1 (HTTP headers); the Chinese one goes in filename*.
    ascii_name = f"{spec.name}-template" if suffix else spec.name
    return f"attachment; filename={ascii_name}.xlsx; filename*=UTF-8''{quoted}"


def geojson_features(spec: RegistrySpec, records: Iterator[Any]) -> Iterator[dict[str, Any]]:
    """Yield a Point feature per sited record with its list fields as properties."""
    for rec in records:
        props = {
            "id": rec.id,
            "name": getattr(rec, "name", str(rec.id)),
            "registry": spec.name,
            "division_code": rec.division_code,
            "detail_url": f"/{spec.name}/{rec.id}",
        }
        for key in spec.list_fields:
            value = getattr(rec, key, None)
            props[key] = (
                spec.label(key, value)
                if value is not None
                and not isinstance(value, list)
                and key not in spec.geojson_codes
                else value
            )
        yield point_feature(rec.longitude, rec.latitude, props, rec.id)


def build_router(spec: RegistrySpec) -> APIRouter:
    """Return the router serving one registry's JSON API."""
    router = APIRouter(tags=[spec.title])
    base = f"/api/v1/{spec.name}"
    read_model, create_model = spec.read_schema, spec.create_schema
    update_model, filter_model = spec.update_schema, spec.filter_schema

    def list_records(
        filters: Any,
        actor: ApiActor,
        session: ReadSession,
        page: Annotated[int, Query(ge=1)] = 1,
        size: Annotated[int, Query(ge=1, le=200)] = 20,
        include_retired: bool = False,
    ) -> Any:
        return queries.page_records(
            session,
            spec,
            actor,
            PageParams(page=page, size=size),
            filters_of(spec, filters),
            include_retired=include_retired,
        )

    router.add_api_route(
        base,
        _annotate(list_records, filters=Annotated[filter_model, Query()]),
        methods=["GET"],
        response_model=Page[read_model],  # type: ignore[valid-type]
        summary=f"列出{spec.title}",
        name=f"{spec.name}:list",
    )

    if spec.sited:

        def geojson(filters: Any, actor: ApiActor, session: ReadSession) -> Response:
            records = queries.iter_records(session, spec, actor, filters_of(spec, filters))
            import json

            body = json.dumps(
                feature_collection(geojson_features(spec, records)), ensure_ascii=False, default=str
            )
            return Response(body, media_type=GEOJSON)

        router.add_api_route(
            f"{base}.geojson",
            _annotate(geojson, filters=Annotated[filter_model, Query()]),
            methods=["GET"],
            summary=f"{spec.title} GeoJSON 图层",
            name=f"{spec.name}:geojson",
            responses={200: {"content": {GEOJSON: {}}}},
        )

    def template(actor: ApiActor) -> Response:
        queries.check_readable(spec, actor)
        return Response(
            build_template(spec.sheet, spec.columns),
            media_type=XLSX,
            headers={"Content-Disposition": excel_filename(spec, "导入模板")},
        )

    router.add_api_route(
        f"{base}/template.xlsx",
        template,
        methods=["GET"],
        summary=f"下载{spec.title}导入模板",
        name=f"{spec.name}:template",
        responses={200: {"content": {XLSX: {}}}},
    )

    def export(
        filters: Any,
        actor: ApiActor,
        session: ReadSession,
        ctx: Ctx,
        include_retired: bool = False,
    ) -> Response:
        records = queries.iter_records(
            session, spec, actor, filters_of(spec, filters), include_retired=include_retired
        )
        rows = (rec.model_dump() for rec in records)
        content = export_rows(spec.sheet, spec.columns, rows)
        if spec.personal_fields:
            # 《个人信息保护法》: an export of personal data in full is recorded.
            with ctx.uow(actor) as uow:
                service.audit_export(uow, spec, filters_of(spec, filters))
                uow.commit()
        return Response(
            content, media_type=XLSX, headers={"Content-Disposition": excel_filename(spec, "")}
        )

    router.add_api_route(
        f"{base}/export.xlsx",
        _annotate(export, filters=Annotated[filter_model, Query()]),
        methods=["GET"],
        summary=f"导出{spec.title}",
        name=f"{spec.name}:export",
        responses={200: {"content": {XLSX: {}}}},
    )

    def import_(
        actor: ApiActor, ctx: Ctx, file: UploadFile = File(...), dry_run: bool = False
    ) -> ImportResult:
        content = read_limited(file.file)
        with ctx.uow(actor) as uow:
            created = service.import_workbook(uow, spec, content, dry_run=dry_run)
            if not dry_run:
                uow.commit()
        return ImportResult(created=created, dry_run=dry_run)

    router.add_api_route(
        f"{base}/import",
        import_,
        methods=["POST"],
        response_model=ImportResult,
        summary=f"导入{spec.title}（全部成功或全部不写入）",
        name=f"{spec.name}:import",
        responses={
            422: {"description": "every error with sheet, row, column", "model": list[ImportIssue]}
        },
    )

    def detail(record_id: int, actor: ApiActor, session: ReadSession) -> Any:
        return queries.get_record(session, spec, actor, record_id)

    router.add_api_route(
        f"{base}/{{record_id}}",
        detail,
        methods=["GET"],
        response_model=read_model,
        summary=f"查看{spec.title}",
        name=f"{spec.name}:detail",
    )

    if spec.personal_fields:

        def reveal(
            record_id: int,
            actor: ApiActor,
            ctx: Ctx,
            field: Annotated[str, Query(max_length=64)],
            purpose: Annotated[str, Query(min_length=1, max_length=500)],
        ) -> RevealRead:
            with ctx.uow(actor) as uow:
                value = service.reveal_field(uow, spec, record_id, field, purpose)
                uow.commit()
            return RevealRead(id=record_id, field=field, value=value)

        router.add_api_route(
            f"{base}/{{record_id}}/reveal",
            reveal,
            methods=["GET"],
            response_model=RevealRead,
            summary=f"查看{spec.title}的完整个人信息（需说明用途，留痕）",
            name=f"{spec.name}:reveal",
        )

    def create(body: Any, response: Response, actor: ApiActor, ctx: Ctx) -> Any:
        with ctx.uow(actor) as uow:
            read = service.create_record(uow, spec, body)
            uow.commit()
        response.headers["Location"] = f"{base}/{read.id}"
        return read

    router.add_api_route(
        base,
        _annotate(create, body=create_model),
        methods=["POST"],
        response_model=read_model,
        status_code=201,
        summary=f"新建{spec.title}",
        name=f"{spec.name}:create",
    )

    def update(record_id: int, body: Any, actor: ApiActor, ctx: Ctx) -> Any:
        with ctx.uow(actor) as uow:
            read = service.update_record(uow, spec, record_id, body)
            uow.commit()
        return read

    router.add_api_route(
        f"{base}/{{record_id}}",
        _annotate(update, body=update_model),
        methods=["PATCH"],
        response_model=read_model,
        summary=f"修改{spec.title}",
        name=f"{spec.name}:update",
    )

    def retire(record_id: int, body: RetireRequest, actor: ApiActor, ctx: Ctx) -> Any:
        with ctx.uow(actor) as uow:
            read = service.retire_record(uow, spec, record_id, body.reason)
            uow.commit()
        return read

    router.add_api_route(
        f"{base}/{{record_id}}/retire",
        retire,
        methods=["POST"],
        response_model=read_model,
        summary=f"停用{spec.title}",
        name=f"{spec.name}:retire",
    )
    return router
