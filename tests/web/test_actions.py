"""The page write helper: commit and flash on success, flash refusals, re-raise the rest."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from yingji.core.actor import Actor
from yingji.core.errors import Conflict, DomainError, FieldError, NotFound, PermissionDenied
from yingji.core.web.flash import pop_flashes
from yingji.web.actions import act, attempt, detail_with_reasons, reasons_or_detail

ACTOR = Actor(user_id=1, username="bureau", role="bureau_staff")


class _Uow:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __enter__(self) -> _Uow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.log.append("closed")

    def commit(self) -> None:
        self.log.append("commit")


class _Ctx:
    """Just enough of AppContext: a unit of work that records whether it committed."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def uow(self, actor: Actor) -> _Uow:
        self.log.append(f"uow:{actor.username}")
        return _Uow(self.log)


def _request() -> Request:
    return Request({"type": "http", "session": {}, "headers": [], "method": "POST"})


def _fail(exc: Exception) -> Any:
    def write(_uow: Any) -> None:
        raise exc

    return write


def test_success_commits_flashes_and_redirects_303() -> None:
    request, ctx = _request(), _Ctx()
    response = act(request, ctx, ACTOR, lambda uow: 7, done="已保存", back="/x")
    assert (response.status_code, response.headers["location"]) == (303, "/x")
    assert ctx.log == ["uow:bureau", "commit", "closed"]
    assert pop_flashes(request) == [("success", "已保存")]


def test_then_and_done_see_the_result() -> None:
    request = _request()
    response = act(
        request,
        _Ctx(),
        ACTOR,
        lambda uow: 42,
        done=lambda n: f"编号 {n}",
        back="/list",
        then=lambda n: f"/list/{n}",
    )
    assert response.headers["location"] == "/list/42"
    assert pop_flashes(request) == [("success", "编号 42")]


def test_refusal_is_flashed_with_reasons_and_goes_back() -> None:
    request, ctx = _request(), _Ctx()
    exc = DomainError("无法保存", status=422, errors=[FieldError("a", "甲"), FieldError("b", "乙")])
    response = act(request, ctx, ACTOR, _fail(exc), done="ok", back="/x", then=lambda _: "/y")
    assert response.headers["location"] == "/x"
    assert "commit" not in ctx.log
    assert pop_flashes(request) == [("error", "甲；乙")]


def test_not_found_is_re_raised_by_default() -> None:
    with pytest.raises(NotFound):
        attempt(_request(), _Ctx(), ACTOR, _fail(NotFound()), done="ok")


def test_only_the_caught_kinds_are_flashed() -> None:
    request = _request()
    with pytest.raises(PermissionDenied):
        attempt(request, _Ctx(), ACTOR, _fail(PermissionDenied()), done="ok", catch=(Conflict,))
    outcome = attempt(
        request, _Ctx(), ACTOR, _fail(Conflict("已存在")), done="ok", catch=(Conflict,)
    )
    assert not outcome.ok
    assert pop_flashes(request) == [("error", "已存在")]


def test_invalid_input_gets_its_message() -> None:
    class Body(BaseModel):
        n: int

    request = _request()
    outcome = attempt(
        request,
        _Ctx(),
        ACTOR,
        lambda uow: Body.model_validate({"n": "x"}),
        done="ok",
        invalid={ValidationError: "格式不正确"},
    )
    assert not outcome.ok
    assert pop_flashes(request) == [("error", "格式不正确")]
    with pytest.raises(KeyError):
        attempt(request, _Ctx(), ACTOR, _fail(KeyError("k")), done="ok", invalid={ValueError: "x"})


def test_refusal_wordings() -> None:
    plain = Conflict("状态不允许")
    fields = DomainError(
        "未通过校验", status=422, errors=[FieldError("a", "甲"), FieldError("b", "乙")]
    )
    assert reasons_or_detail(plain) == "状态不允许"
    assert reasons_or_detail(fields) == "甲；乙"
    assert detail_with_reasons(plain) == "状态不允许"
    assert detail_with_reasons(fields) == "未通过校验：甲；乙"
