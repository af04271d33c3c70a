"""The menu: five groups in order, role filtering, one current link (pure, no app)."""

from __future__ import annotations

from yingji.core.web.nav import NavEntry, build_nav

ENTRIES = [
    NavEntry("services", "库存台账", "/stock"),
    NavEntry("services", "库存预警", "/stock/alerts"),
    NavEntry("supervision", "企业", "/enterprises"),
    NavEntry("services", "仅管理员", "/admin-only", frozenset({"admin"})),
]


def current(groups):
    return [link.title for g in groups for link in g.links if link.current]


def test_most_specific_link_is_current():
    assert current(build_nav(ENTRIES, "bureau_staff", "/stock/alerts")) == ["库存预警"]
    assert current(build_nav(ENTRIES, "bureau_staff", "/stock")) == ["库存台账"]
    assert current(build_nav(ENTRIES, "bureau_staff", "/enterprises/3/edit")) == ["企业"]
    assert current(build_nav(ENTRIES, "bureau_staff", "/")) == []


def test_five_groups_and_role_filter():
    groups = build_nav(ENTRIES, "bureau_staff", "/")
    assert [g.key for g in groups] == [
        "supervision",
        "monitoring",
        "response",
        "decision",
        "services",
    ]
    services = next(g for g in groups if g.key == "services")
    assert [link.title for link in services.links] == ["库存台账", "库存预警"]
    admin = next(g for g in build_nav(ENTRIES, "admin", "/") if g.key == "services")
    assert "仅管理员" in [link.title for link in admin.links]
