"""The accounts domain as the platform mounts it: users, tokens, sign-in pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.accounts import api, models, pages, queries, rules, second_factor_pages, tasks
from yingji.accounts.references import USER_REFERENCES, UserReference
from yingji.core.composition import Domain, TemplateFolder
from yingji.core.extensions import LABEL_TABLES, LabelTable, contribute


def _department_exists(session: Session, department_id: object) -> bool:
    return isinstance(department_id, int) and queries.department_exists(session, department_id)


DOMAIN = Domain(
    package="yingji.accounts",
    title="账户",
    models=(models,),
    api_routers=(api.router,),
    page_routers=(*pages.routers, *second_factor_pages.routers),
    templates=(TemplateFolder("accounts", "yingji.accounts"),),
    jobs=tuple(tasks.JOBS),
    contributions=(
        *contribute(
            USER_REFERENCES,
            UserReference("department_id", _department_exists, "部门不存在"),
        ),
        *contribute(
            LABEL_TABLES,
            LabelTable("role", {str(role): text for role, text in rules.ROLE_LABELS.items()}),
        ),
    ),
)
