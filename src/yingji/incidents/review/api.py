"""Review endpoints: open the review, record problems, read it, download the report."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from yingji.incidents.review import queries, service
from yingji.incidents.review.documents import review_docx
from yingji.incidents.review.schemas import ProblemCreate, ReviewCreate, ReviewRead
from yingji.web.deps import ApiActor, Ctx, ReadSession

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
router = APIRouter(tags=["复盘"])
BASE = "/api/v1/incidents/{incident_id}/review"


@router.post(BASE, response_model=ReviewRead, status_code=201, summary="开展复盘（事件结案后）")
def open_review(incident_id: int, body: ReviewCreate, actor: ApiActor, ctx: Ctx) -> ReviewRead:
    """Freeze the closed incident's response measures into its review."""
    with ctx.uow(actor) as uow:
        service.open_review(uow, incident_id, body)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_review(session, actor, incident_id)


@router.get(BASE, response_model=ReviewRead, summary="复盘详情")
def get_review(incident_id: int, actor: ApiActor, session: ReadSession) -> ReviewRead:
    """Return the review: measures, timeline and problems."""
    return queries.get_review(session, actor, incident_id)


@router.post(
    BASE + "/problems",
    response_model=ReviewRead,
    status_code=201,
    summary="登记问题（转入隐患整改）",
)
def add_problem(incident_id: int, body: ProblemCreate, actor: ApiActor, ctx: Ctx) -> ReviewRead:
    """Record a problem; it opens a hazard with its owner and deadline."""
    with ctx.uow(actor) as uow:
        service.add_problem(uow, incident_id, body)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_review(session, actor, incident_id)


@router.get(BASE + ".docx", summary="下载复盘报告")
def download(incident_id: int, actor: ApiActor, ctx: Ctx, session: ReadSession) -> Response:
    """Return the review report as .docx."""
    review = queries.get_review(session, actor, incident_id)
    return Response(
        review_docx(review, ctx.settings.timezone),
        media_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="review-{incident_id}.docx"'},
    )


routers = [router]
