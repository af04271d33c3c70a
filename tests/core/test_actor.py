"""System actors have a name pages can show."""

from __future__ import annotations

import re
from pathlib import Path

from yingji.core.actor import SYSTEM_ACTOR_NAMES, system_actor
from yingji.demo.seed import SEED_ACTOR

SRC = Path(__file__).resolve().parents[2] / "src" / "yingji"


def test_every_system_actor_in_the_source_has_a_chinese_name():
    used = {SEED_ACTOR}
    for module in SRC.rglob("*.py"):
        used.update(
            re.findall(r'system_actor\("([a-z][a-z0-9._-]*)"\)', module.read_text(encoding="utf-8"))
        )
    assert sorted(used - set(SYSTEM_ACTOR_NAMES)) == []


def test_system_actor_is_shown_by_name_and_audited_by_code():
    actor = system_actor("outbox")
    assert (actor.username, actor.name, actor.is_system) == ("outbox", "系统（事件处理）", True)
    assert system_actor("new-job").name == "系统"
