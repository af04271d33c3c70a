"""Early-warning endpoints: compose and the approval workflow, CAP validate/import/export,
the public Atom feed and CAP documents (no login), recipient preview and coverage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from yingji.accounts.schemas import require_role
from yingji.core.actor import Actor
from yingji.core.web.context import AppContext
from yingji.early_warnings import dissemination, queries, service
from yingji.early_warnings.cap import document_encoding
from yingji.early_warnings.caprules import (
    CapReport,
    Finding,
    ValidationTimeout,
    limited,
    validate_cap,
)
from yingji.early_warnings.feed import atom_feed
from yingji.early_warnings.rules import APPROVER_ROLES, COMPOSER_ROLES, load_profile
from yingji.early_warnings.schemas import (
    ActionBody,
    ImportResult,
    WarningCreate,
    WarningRead,
    WarningRevision,
)
from yingji.early_warnings.service import CapInvalid
from yingji.notify.schemas import CoverageRead, RecipientCount, TargetArea
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/warnings"
CAP_XML = "application/cap+xml"
MAX_CAP_BYTES = 1_000_000
router = APIRouter(tags=["预警发布"])
public = APIRouter(tags=["预警发布（公开）"])

_XML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/xml": {"schema": {"type": "string"}}},
    }
}


def _invalid(
    findings: list[Finding], request: Request, *, extra: dict[str, Any] | None = None
) -> JSONResponse:
    # One finding that refuses the whole document (version, size, timeout) is the reason.
    whole = len(findings) == 1 and findings[0].rule in _WHOLE_DOCUMENT_RULES
    body = {
        "type": "about:blank",
        "title": "CAP 消息未通过校验",
        "status": 422,
        "detail": findings[0].message if whole else f"发现 {len(findings)} 处不符合 CAP 1.2 的问题",
        "code": "cap_validation_timeout"
        if whole and findings[0].rule == "TIMEOUT"
        else "cap_invalid",
        "instance": request.url.path,
        "valid": False,
        # Bounded: a hostile document can produce tens of thousands of findings.
        "errors": [f.as_dict() for f in limited(findings)],
        "total": len(findings),
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=422, media_type="application/problem+json")


XML_TYPES = frozenset({"application/xml", "text/xml", CAP_XML})
_WHOLE_DOCUMENT_RULES = frozenset({"R1", "R2", "SIZE", "LIMIT", "TIMEOUT"})


async def _bounded(ctx: AppContext, validate: Callable[[float], CapReport]) -> CapReport | Finding:
    """Run ``validate(deadline)`` off the event loop within the configured timeout.

    The answer never waits longer than ``warning_import_validation_timeout_seconds``: past it
    the request stops waiting (the worker is abandoned, not awaited) and the worker itself
    stops at its next rule, at the same deadline. Returns the report, or the TIMEOUT finding.
    """
    timeout = float(ctx.settings.warning_import_validation_timeout_seconds)
    deadline = time.monotonic() + timeout
    try:
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(
                partial(validate, deadline), abandon_on_cancel=True
            )
    except (TimeoutError, ValidationTimeout):
        return Finding(
            "/",
            "TIMEOUT",
            f"CAP 消息校验超时（上限 {timeout:g} 秒）：消息过于复杂，未导入",
        )


def _not_xml(request: Request) -> JSONResponse | None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in XML_TYPES:
        return None
    body = {
        "type": "about:blank",
        "title": "不支持的内容类型",
        "status": 415,
        "detail": "请以 Content-Type: application/xml 提交 CAP 消息",
        "code": "unsupported_media_type",
        "instance": request.url.path,
    }
    return JSONResponse(body, status_code=415, media_type="application/problem+json")


async def _xml_body(request: Request) -> bytes:
    body = await request.body()
    return body[: MAX_CAP_BYTES + 1]


@router.post(
    "/api/v1/warnings/validate", summary="校验 CAP 1.2 消息（不导入）", openapi_extra=_XML_BODY
)
async def validate(request: Request, actor: ApiActor, ctx: Ctx) -> Response:
    """Validate a CAP document against the XSD and the named rules; nothing is stored."""
    if (refused := _not_xml(request)) is not None:
        return refused
    xml = await _xml_body(request)
    if len(xml) > MAX_CAP_BYTES:
        return _invalid([Finding("/", "SIZE", "CAP 消息过大（上限 1 MB）")], request)
    profile = load_profile(ctx.settings)
    # Off the event loop and bounded in time: the XSD and the rules are CPU work on
    # untrusted input.
    report = await _bounded(
        ctx, lambda deadline: validate_cap(xml, profile=profile, deadline=deadline)
    )
    if isinstance(report, Finding):
        return _invalid([report], request)
    warnings = [w.as_dict() for w in limited(report.warnings)]
    extra = {"warnings": warnings, "warnings_total": len(report.warnings)}
    if not report.valid:
        return _invalid(report.errors, request, extra=extra)
    return JSONResponse({"valid": True, **extra})


@router.post(
    "/api/v1/warnings/import",
    summary="导入其他机构的 CAP 预警（按 identifier 幂等）",
    openapi_extra=_XML_BODY,
    response_model=ImportResult,
)
async def import_warning(request: Request, actor: ApiActor, ctx: Ctx) -> Response:
    """Create (or find) the warning a CAP message describes; 422 lists every violated rule."""
    if (refused := _not_xml(request)) is not None:
        return refused
    xml = await _xml_body(request)
    if len(xml) > MAX_CAP_BYTES:
        return _invalid([Finding("/", "SIZE", "CAP 消息过大（上限 1 MB）")], request)

    require_role(actor, APPROVER_ROLES, "您的角色不能导入预警")
    profile = load_profile(ctx.settings)
    # Validation first, bounded in time; the database work after it is not abandoned (a
    # request that gave up must not leave an import committing behind its 422).
    checked = await _bounded(
        ctx, lambda deadline: service.validate_import(xml, profile=profile, deadline=deadline)
    )
    if isinstance(checked, Finding):
        return _invalid([checked], request)

    def run() -> tuple[int, str, bool, Any]:
        with ctx.uow(actor) as uow:
            outcome = service.import_cap(
                uow,
                xml,
                profile=profile,
                district_code=ctx.settings.district_code,
                report=checked,
            )
            uow.commit()
        return outcome

    try:
        # Off the event loop: the database work blocks.
        warning_id, identifier, created, report = await run_in_threadpool(run)
    except CapInvalid as exc:
        return _invalid(exc.findings, request)
    result = ImportResult(
        warning_id=warning_id,
        identifier=identifier,
        created=created,
        warnings=[w.as_dict() for w in limited(report.warnings)],
        warnings_total=len(report.warnings),
    )
    return JSONResponse(
        result.model_dump(mode="json"),
        status_code=201 if created else 200,
        headers={"Location": f"{BASE}/{warning_id}"},
    )


@router.post(f"{BASE}/recipients/preview", response_model=RecipientCount, summary="预估覆盖人数")
def preview_recipients(body: TargetArea, actor: ApiActor, session: ReadSession) -> RecipientCount:
    """Count the recipients an area would reach (the composer's live preview)."""
    require_role(actor, COMPOSER_ROLES, "无权预估预警覆盖人数")
    return dissemination.count_recipients(session, body, actor)


@router.get(BASE, summary="预警列表")
def list_warnings(
    actor: ApiActor,
    session: ReadSession,
    state: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """List the warnings the actor may see, newest first."""
    items, total = queries.list_warnings(session, actor, state=state, limit=limit, offset=offset)
    return {"items": [i.model_dump(mode="json") for i in items], "total": total}


@router.post(BASE, response_model=WarningRead, status_code=201, summary="编制预警（草稿）")
def compose(body: WarningCreate, response: Response, actor: ApiActor, ctx: Ctx) -> WarningRead:
    """Create a draft warning for an area inside the actor's jurisdiction."""
    with ctx.uow(actor) as uow:
        warning_id = service.compose_warning(uow, body, profile=load_profile(ctx.settings))
        uow.commit()
    response.headers["Location"] = f"{BASE}/{warning_id}"
    return _read(ctx, actor, warning_id)


def _read(ctx: AppContext, actor: Actor, warning_id: int) -> WarningRead:
    with ctx.session_factory() as session:
        return queries.get_warning(session, actor, warning_id)


@router.get(f"{BASE}/{{warning_id}}", response_model=WarningRead, summary="预警详情")
def get_warning(warning_id: int, actor: ApiActor, session: ReadSession) -> WarningRead:
    """Return a warning with its CAP messages and workflow history."""
    return queries.get_warning(session, actor, warning_id)


@router.patch(f"{BASE}/{{warning_id}}", response_model=WarningRead, summary="修改草稿")
def edit(warning_id: int, body: WarningRevision, actor: ApiActor, ctx: Ctx) -> WarningRead:
    """Change a draft."""
    with ctx.uow(actor) as uow:
        service.edit_warning(uow, warning_id, body)
        uow.commit()
    return _read(ctx, actor, warning_id)


def _action(name: str, summary: str) -> None:
    def endpoint(
        warning_id: int, actor: ApiActor, ctx: Ctx, body: ActionBody | None = None
    ) -> WarningRead:
        reason = body.reason if body else ""
        profile = load_profile(ctx.settings)
        with ctx.uow(actor) as uow:
            if name == "submit":
                service.submit_warning(uow, warning_id, reason=reason)
            elif name == "approve":
                service.approve_warning(uow, warning_id, reason=reason)
            elif name == "reject":
                service.reject_warning(uow, warning_id, reason=reason)
            elif name == "publish":
                service.publish_warning(uow, warning_id, profile=profile, reason=reason)
            else:
                service.lift_warning(uow, warning_id, reason=reason, profile=profile)
            uow.commit()
        return _read(ctx, actor, warning_id)

    endpoint.__name__ = f"{name}_warning"
    endpoint.__doc__ = f"{summary}."
    router.post(f"{BASE}/{{warning_id}}/{name}", response_model=WarningRead, summary=summary)(
        endpoint
    )


for _name, _summary in (
    ("submit", "提交审批"),
    ("approve", "审批通过（审批人不能是提交人）"),
    ("reject", "退回修改"),
    ("publish", "发布（CAP Alert，按区域和渠道下发）"),
    ("lift", "解除（CAP Cancel）"),
):
    _action(_name, _summary)


@router.post(
    f"{BASE}/{{warning_id}}/update",
    response_model=WarningRead,
    summary="更新已发布预警（CAP Update）",
)
def update(warning_id: int, body: WarningRevision, actor: ApiActor, ctx: Ctx) -> WarningRead:
    """Change a published warning; a CAP Update referencing every earlier message goes out."""
    with ctx.uow(actor) as uow:
        service.update_warning(uow, warning_id, body, profile=load_profile(ctx.settings))
        uow.commit()
    return _read(ctx, actor, warning_id)


@router.get(
    f"{BASE}/{{warning_id}}/coverage",
    response_model=CoverageRead,
    summary="送达与叫应情况（按村社）",
)
def coverage(
    warning_id: int, actor: ApiActor, session: ReadSession, seq: int = Query(1, ge=1)
) -> CoverageRead:
    """Return delivery and acknowledgement coverage of a warning's message (1 = publication)."""
    queries.get_warning(session, actor, warning_id)
    return dissemination.coverage(session, warning_id, seq, actor=actor)


# --- public (no login) --------------------------------------------------------------------------


@public.get("/api/v1/warnings/feed.atom", summary="当前预警 Atom 订阅（公开）")
def feed(request: Request, ctx: Ctx) -> Response:
    """Return the Atom index of current public warnings, each linking to its CAP document."""
    profile = load_profile(ctx.settings)
    base = profile.web_base or str(request.base_url).rstrip("/")
    now = ctx.clock.now()
    with ctx.session_factory() as session:
        rows = queries.current_public(session, now)
        body = atom_feed(
            rows,
            base_url=base,
            title=f"{profile.sender_name} 预警信息",
            author=profile.sender_name,
            now=now,
        )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@public.get("/api/v1/cap/{identifier}.xml", summary="CAP 1.2 消息（公开）")
def cap_document(identifier: str, ctx: Ctx) -> Response:
    """Return a published public CAP message exactly as it was sent or received.

    An imported message is its original bytes, with the charset its own encoding names
    (ISO-8859-1, UTF-16 …); one composed here is its UTF-8 document.
    """
    with ctx.session_factory() as session:
        message = queries.public_message(session, identifier)
        raw, xml = message.raw, message.xml
    body = raw if raw is not None else xml.encode("utf-8")
    charset = document_encoding(raw) if raw is not None else "utf-8"
    return Response(
        body,
        media_type=f"{CAP_XML}; charset={charset}",
        headers={"Content-Disposition": f'inline; filename="{identifier}.xml"'},
    )


# Public routes first: /warnings/feed.atom must not be read as a warning id.
routers = [public, router]
