"""The location backbone as the platform mounts it: divisions, grid cells, sites."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.accounts.references import USER_REFERENCES, UserReference
from yingji.core.composition import Domain
from yingji.core.extensions import contribute
from yingji.geo import api, models, queries


def _division_exists(session: Session, code: object) -> bool:
    return isinstance(code, str) and queries.division_exists(session, code)


DOMAIN = Domain(
    package="yingji.geo",
    title="行政区划",
    models=(models,),
    api_routers=(api.router,),
    contributions=contribute(
        USER_REFERENCES,
        UserReference("division_code", _division_exists, "行政区划不存在"),
    ),
)
