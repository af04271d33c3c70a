"""Every registry write leaves an audit row with the actor, in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from support.district import POINT_A
from support.samples import SAMPLES
from yingji.bootstrap import registries
from yingji.core.audit import AuditEntry

SPECS = {spec.name: spec for spec in registries() if spec.name in SAMPLES}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_create_update_retire_are_audited_with_actor(as_user, ctx, ids, name):
    spec = SPECS[name]
    api = as_user("bureau")
    rec = api.post(f"/api/v1/{name}", json=SAMPLES[name](POINT_A, "审")).json()
    assert api.patch(f"/api/v1/{name}/{rec['id']}", json={}).status_code == 200
    assert (
        api.post(f"/api/v1/{name}/{rec['id']}/retire", json={"reason": "测试"}).status_code == 200
    )
    with ctx.session_factory() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == spec.table, AuditEntry.entity_id == str(rec["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [r.action for r in rows] == [
        f"{spec.domain}.{spec.entity}.create",
        f"{spec.domain}.{spec.entity}.update",
        f"{spec.domain}.{spec.entity}.retire",
    ]
    assert {(r.actor_id, r.actor_name, r.actor_role) for r in rows} == {
        (ids["user:bureau"], "bureau", "bureau_staff")
    }
    assert rows[0].after is not None
    assert rows[0].after["id"] == rec["id"]
    assert rows[2].reason == "测试"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_refused_write_leaves_no_audit_row(as_user, ctx, name):
    spec = SPECS[name]
    body = SAMPLES[name](POINT_A, "拒")
    if spec.sited:
        body["longitude"] = 10.0  # outside the district and with no division
        body["latitude"] = 10.0
        body.pop("division_code", None)
    else:
        body["division_code"] = "500153999"  # no such division
    with ctx.session_factory() as s:
        before = s.query(AuditEntry).count()
    r = as_user("bureau").post(f"/api/v1/{name}", json=body)
    assert r.status_code == 422
    with ctx.session_factory() as s:
        assert s.query(AuditEntry).count() == before
