"""The dependency aliases name the same dependencies the routes spelled out before."""

from __future__ import annotations

from typing import get_args

from yingji.accounts.deps import api_actor, page_actor
from yingji.accounts.pages import checked_form
from yingji.core.web.context import get_context, read_session
from yingji.web.deps import ApiActor, CheckedForm, Ctx, PageActor, ReadSession


def test_each_alias_depends_on_its_function() -> None:
    pairs = [
        (ApiActor, api_actor),
        (PageActor, page_actor),
        (ReadSession, read_session),
        (Ctx, get_context),
        (CheckedForm, checked_form),
    ]
    for alias, dependency in pairs:
        _type, marker = get_args(alias)
        assert marker.dependency is dependency
