"""Annotated dependency aliases every domain's ``api.py`` and ``pages.py`` declare parameters with.

``actor: ApiActor`` says the same as ``actor: Actor = Depends(api_actor)`` in one word, so a
route's signature lists what it needs and not how FastAPI finds it. The dependencies
themselves stay where they are (``accounts.deps``, ``accounts.pages``, ``core.web.context``);
``accounts`` and ``geo`` sit below this layer and keep spelling theirs out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yingji.accounts.deps import api_actor, page_actor
from yingji.accounts.pages import checked_form
from yingji.core.actor import Actor
from yingji.core.web.context import AppContext, get_context, read_session

__all__ = ["ApiActor", "CheckedForm", "Ctx", "PageActor", "ReadSession"]

# The actor of an API request: bearer token, or session cookie plus the CSRF header.
ApiActor = Annotated[Actor, Depends(api_actor)]
# The actor of a page request (session cookie); a missing sign-in sends the page to login.
PageActor = Annotated[Actor, Depends(page_actor)]
# A read-only session for queries, closed when the request ends.
ReadSession = Annotated[Session, Depends(read_session)]
# The application context: session factory, units of work, clock, settings.
Ctx = Annotated[AppContext, Depends(get_context)]
# The posted form, after its ``csrf_token`` field matched the session's.
CheckedForm = Annotated[FormData, Depends(checked_form)]
