"""The page POST pattern in one place: run a write, commit, flash the outcome, redirect.

A page form posts; the handler runs one service call in a unit of work as the signed-in
user, commits, queues a success message and answers 303 back to a page. A refused write
(DomainError) is flashed as an error instead, except the statuses the caller re-raises
(404 by default, so a record outside the actor's jurisdiction answers like a missing one).
Pages that re-render their form with the field errors instead of redirecting do not use
this helper.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse

from yingji.core.actor import Actor
from yingji.core.errors import DomainError
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash

T = TypeVar("T")

__all__ = ["Outcome", "act", "attempt", "detail_with_reasons", "reasons_or_detail"]


def reasons_or_detail(exc: DomainError) -> str:
    """Return the field reasons joined by '；', or the error's detail when it has none."""
    return "；".join(e.reason for e in exc.errors) or exc.detail


def detail_with_reasons(exc: DomainError) -> str:
    """Return the error's detail followed by '：' and its field reasons joined by '；'."""
    if not exc.errors:
        return exc.detail
    return exc.detail + "：" + "；".join(e.reason for e in exc.errors)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a write from a page came to: whether it was committed, and what it returned."""

    ok: bool
    result: T | None = None


def attempt(
    request: Request,
    ctx: AppContext,
    actor: Actor,
    write: Callable[[UnitOfWork], T],
    *,
    done: str | Callable[[T], str],
    refusal: Callable[[DomainError], str] = reasons_or_detail,
    reraise: Collection[int] = (404,),
    catch: tuple[type[DomainError], ...] = (DomainError,),
    invalid: Mapping[type[Exception], str | Callable[[Exception], str]] | None = None,
) -> Outcome[T]:
    """Run ``write`` in one unit of work as ``actor``, commit, and flash how it went.

    ``done`` is the success message (or makes it from the result). A DomainError whose
    status is in ``reraise``, or that is none of the ``catch`` kinds, propagates (the error
    page answers it); any other is flashed as an error, worded by ``refusal``. ``invalid``
    maps exception types raised while reading the form inside ``write`` (ValueError,
    ValidationError) to the error message flashed for them (or to a function making it
    from the exception).
    """
    try:
        with ctx.uow(actor) as uow:
            result = write(uow)
            uow.commit()
    except DomainError as exc:
        if exc.status in reraise or not isinstance(exc, catch):
            raise
        flash(request, refusal(exc), "error")
        return Outcome(ok=False)
    except Exception as exc:
        for kind, message in (invalid or {}).items():
            if isinstance(exc, kind):
                flash(request, message(exc) if callable(message) else message, "error")
                return Outcome(ok=False)
        raise
    flash(request, done(result) if callable(done) else done)
    return Outcome(ok=True, result=result)


def act(
    request: Request,
    ctx: AppContext,
    actor: Actor,
    write: Callable[[UnitOfWork], T],
    *,
    done: str | Callable[[T], str],
    back: str,
    then: Callable[[T], str] | None = None,
    refusal: Callable[[DomainError], str] = reasons_or_detail,
    reraise: Collection[int] = (404,),
    catch: tuple[type[DomainError], ...] = (DomainError,),
    invalid: Mapping[type[Exception], str | Callable[[Exception], str]] | None = None,
) -> RedirectResponse:
    """Run a page's write like ``attempt``, then answer 303 to ``back``.

    On success the redirect goes to ``then(result)`` when given (the new record's page),
    else to ``back``.
    """
    outcome = attempt(
        request,
        ctx,
        actor,
        write,
        done=done,
        refusal=refusal,
        reraise=reraise,
        catch=catch,
        invalid=invalid,
    )
    target = then(outcome.result) if outcome.ok and then is not None else back  # type: ignore[arg-type]
    return RedirectResponse(target, status_code=303)
