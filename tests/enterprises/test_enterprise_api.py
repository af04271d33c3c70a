"""Enterprise registry (一企一档) through the API and the CLI: validation, licences, scoping."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from support.district import POINT_A, POINT_B, TOWN_A, TOWN_B
from support.enterprises import CREDIT_A, CREDIT_B
from yingji.accounts.models import User
from yingji.accounts.service import ensure_department
from yingji.core.actor import system_actor
from yingji.core.audit import AuditEntry
from yingji.core.clock import local_today
from yingji.enterprises.registry import COLUMNS
from yingji.enterprises.rules import credit_code_check_char, make_credit_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def payload(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "credit_code": make_credit_code(7001),
        "name": "重庆市荣昌区昌元化工有限公司",
        "industry_code": "2614",
        "scale": "above",
        "stores_hazardous_chemicals": True,
        "legal_representative": "王立新",
        "safety_officer": "刘敏",
        "contacts": [{"name": "刘敏", "role": "安全员", "phone": "13800000302"}],
        "employees": 120,
        "longitude": point[0],
        "latitude": point[1],
        "address": "昌元街道工业园1号",
    }
    body.update(extra)
    return body


def wrong_check_char(code: str) -> str:
    bad = next(c for c in "0123456789A" if c != code[-1])
    return code[:17] + bad


def department(ctx: Any, name: str) -> int:
    with ctx.uow(system_actor("test")) as uow:
        dept = ensure_department(uow, name, "500153")
        uow.commit()
        return dept.id


def workbook(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "企业"
    ws.append([c.header for c in COLUMNS])
    for row in rows:
        ws.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(api: Any, content: bytes) -> Any:
    return api.post(
        "/api/v1/enterprises/import", files={"file": ("enterprises.xlsx", content, XLSX)}
    )


def sheet_row(code: str, name: str, **extra: Any) -> dict[str, Any]:
    row = {
        "credit_code": code,
        "name": name,
        "industry_code": "2614",
        "scale": "规上",
        "stores_hazardous_chemicals": "是",
        "longitude": POINT_A[0],
        "latitude": POINT_A[1],
    }
    row.update(extra)
    return row


# ---------------------------------------------------------------- create / read / update


def test_create_read_update_retire_with_audit(as_user, ctx):
    dept = department(ctx, "区经济和信息化委员会")
    api = as_user("bureau")
    r = api.post("/api/v1/enterprises", json=payload(supervising_department_id=dept))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["credit_code"] == make_credit_code(7001)
    assert body["division_code"].startswith(TOWN_A)
    assert (body["township_code"], body["township_name"]) == (TOWN_A, "昌元街道")
    assert body["supervising_department"] == "区经济和信息化委员会"
    assert body["industry_name"] == "化学原料和化学制品制造业"
    assert body["hazardous"] is True
    assert body["licences"] == []
    assert body["licence_status"] is None
    assert body["contacts"] == [{"name": "刘敏", "role": "安全员", "phone": "13800000302"}]
    eid = body["id"]

    detail = api.get(f"/api/v1/enterprises/{eid}").json()
    assert detail["name"] == "重庆市荣昌区昌元化工有限公司"

    r = api.patch(f"/api/v1/enterprises/{eid}", json={"scale": "below", "has_major_hazard": True})
    assert r.status_code == 200, r.text
    assert (r.json()["scale"], r.json()["has_major_hazard"]) == ("below", True)

    r = api.post(f"/api/v1/enterprises/{eid}/retire", json={"reason": "企业注销"})
    assert r.status_code == 200
    assert r.json()["retired_at"]
    ids = [item["id"] for item in api.get("/api/v1/enterprises").json()["items"]]
    assert eid not in ids
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "enterprises_enterprise", AuditEntry.entity_id == str(eid))
            .order_by(AuditEntry.id)
        ).all()
        actors = set(
            s.scalars(select(AuditEntry.actor_name).where(AuditEntry.entity_id == str(eid))).all()
        )
    assert actions == [
        "enterprises.enterprise.create",
        "enterprises.enterprise.update",
        "enterprises.enterprise.retire",
    ]
    assert "bureau" in actors


def test_lower_case_code_is_stored_upper_case(as_user):
    code = "91500153MA5U8B0X19"
    r = as_user("bureau").post("/api/v1/enterprises", json=payload(credit_code=code.lower()))
    assert r.status_code == 201, r.text
    assert r.json()["credit_code"] == code


# ---------------------------------------------------------------- validation


def test_wrong_check_character_is_422_naming_credit_code(as_user):
    bad = wrong_check_char(make_credit_code(7002))
    r = as_user("bureau").post("/api/v1/enterprises", json=payload(credit_code=bad))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["credit_code"]
    expected = credit_code_check_char(bad[:17])
    assert errors[0]["reason"] == f"统一社会信用代码校验码错误，应为{expected}"


def test_wrong_check_character_on_update_is_422(as_user, ids):
    bad = wrong_check_char(CREDIT_A)
    r = as_user("bureau").patch(
        f"/api/v1/enterprises/{ids['enterprise:A']}", json={"credit_code": bad}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "credit_code"


@pytest.mark.parametrize(
    ("code", "reason"),
    [("99", "大类代码99不存在"), ("C2614", "不应带门类字母"), ("26x", "应为2至4位数字")],
)
def test_wrong_industry_code_is_422(as_user, code, reason):
    r = as_user("bureau").post("/api/v1/enterprises", json=payload(industry_code=code))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors[0]["field"] == "industry_code"
    assert reason in errors[0]["reason"]


def test_duplicate_credit_code_is_422(as_user, ids):
    api = as_user("bureau")
    r = api.post("/api/v1/enterprises", json=payload(credit_code=CREDIT_A))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors[0]["field"] == "credit_code"
    assert "已登记" in errors[0]["reason"]
    # Updating B to A's code is refused the same way; keeping one's own code is fine.
    r = api.patch(f"/api/v1/enterprises/{ids['enterprise:B']}", json={"credit_code": CREDIT_A})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "credit_code"
    r = api.patch(f"/api/v1/enterprises/{ids['enterprise:A']}", json={"credit_code": CREDIT_A})
    assert r.status_code == 200, r.text


def test_duplicate_of_retired_enterprise_is_422(as_user):
    api = as_user("bureau")
    eid = api.post("/api/v1/enterprises", json=payload()).json()["id"]
    api.post(f"/api/v1/enterprises/{eid}/retire", json={"reason": "注销"})
    r = api.post("/api/v1/enterprises", json=payload())
    assert r.status_code == 422
    assert "已停用" in r.json()["errors"][0]["reason"]


def test_unknown_department_is_422(as_user):
    r = as_user("bureau").post("/api/v1/enterprises", json=payload(supervising_department_id=999))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "supervising_department_id"


# ---------------------------------------------------------------- Excel


def test_import_reports_bad_check_character_and_duplicates_writing_nothing(as_user):
    api = as_user("bureau")
    good = make_credit_code(7010)
    rows = [
        sheet_row(good, "好企业"),
        sheet_row(wrong_check_char(make_credit_code(7011)), "坏企业"),
        sheet_row(CREDIT_A, "重复企业"),
        sheet_row(good, "文件内重复"),
    ]
    r = upload(api, workbook(rows))
    assert r.status_code == 422, r.text
    found = {(e["row"], e["column"], e["field"]) for e in r.json()["errors"]}
    assert found == {
        (3, "统一社会信用代码", "credit_code"),
        (4, "统一社会信用代码", "credit_code"),
        (5, "统一社会信用代码", "credit_code"),
    }
    reasons = {e["row"]: e["reason"] for e in r.json()["errors"]}
    assert reasons[3].startswith("统一社会信用代码校验码错误")
    assert "已登记" in reasons[4]
    assert "重复" in reasons[5]
    assert all(e["sheet"] == "企业" for e in r.json()["errors"])
    assert api.get("/api/v1/enterprises", params={"q": "企业"}).json()["total"] == 2  # A, B


def test_import_names_department_and_exports_it(as_user, ctx):
    department(ctx, "区应急管理局")
    api = as_user("bureau")
    rows = [
        sheet_row(make_credit_code(7020), "导入企业甲", supervising_department="区应急管理局"),
        sheet_row(make_credit_code(7021), "导入企业乙", industry_code="5265"),
    ]
    r = upload(api, workbook(rows))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    items = api.get("/api/v1/enterprises", params={"q": "导入企业"}).json()["items"]
    by_name = {i["name"]: i for i in items}
    assert by_name["导入企业甲"]["supervising_department"] == "区应急管理局"
    assert by_name["导入企业甲"]["supervising_department_id"] is not None
    assert by_name["导入企业乙"]["industry_code"] == "5265"

    bad = [sheet_row(make_credit_code(7022), "导入企业丙", supervising_department="不存在的局")]
    r = upload(api, workbook(bad))
    assert r.status_code == 422
    assert r.json()["errors"][0]["column"] == "行业主管部门"

    r = api.get("/api/v1/enterprises/export.xlsx", params={"q": "导入企业甲"})
    assert r.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    header, values = [c.value for c in ws[1]], [c.value for c in ws[2]]
    row = dict(zip(header, values, strict=True))
    assert row["统一社会信用代码"] == make_credit_code(7020)
    assert row["行业主管部门"] == "区应急管理局"
    assert row["规模"] == "规上"


# ---------------------------------------------------------------- licences


def test_licences_round_trip_with_expiry_status(as_user, ctx):
    today = local_today(ctx.settings.timezone)
    licences = [
        {
            "kind": "安全生产许可证",
            "number": "(渝)WH安许证字[2024]001",
            "expires_on": str(today + timedelta(days=400)),
            "issued_on": str(today - timedelta(days=700)),
        },
        {
            "kind": "危险化学品经营许可证",
            "number": "渝荣危化经字[2023]002",
            "expires_on": str(today + timedelta(days=10)),
        },
        {
            "kind": "烟花爆竹经营（零售）许可证",
            "number": "渝荣烟零[2025]003",
            "expires_on": str(today - timedelta(days=1)),
        },
    ]
    api = as_user("bureau")
    r = api.post("/api/v1/enterprises", json=payload(licences=licences))
    assert r.status_code == 201, r.text
    body = r.json()
    eid = body["id"]
    got = {lic["kind"]: (lic["status"], lic["days_left"]) for lic in body["licences"]}
    assert got == {
        "安全生产许可证": ("valid", 400),
        "危险化学品经营许可证": ("expiring", 10),
        "烟花爆竹经营（零售）许可证": ("expired", -1),
    }
    assert next(lic["kind"] for lic in body["licences"]) == "烟花爆竹经营（零售）许可证"  # soonest
    assert body["licence_status"] == "expired"

    def listed(status: str) -> set[int]:
        items = api.get("/api/v1/enterprises", params={"licence_status": status}).json()["items"]
        return {i["id"] for i in items}

    assert eid in listed("expiring")
    assert eid in listed("expired")

    expiring = api.get("/api/v1/enterprises/licences/expiring").json()
    assert expiring["total"] == 2
    assert [i["status"] for i in expiring["items"]] == ["expired", "expiring"]
    assert expiring["items"][0]["enterprise_id"] == eid
    assert expiring["items"][0]["credit_code"] == make_credit_code(7001)
    wide = api.get("/api/v1/enterprises/licences/expiring", params={"within_days": 500})
    assert wide.json()["total"] == 3

    # Replace the list: one licence kept (same kind and number, renewed), the others dropped.
    kept_id = next(i["id"] for i in body["licences"] if i["kind"] == "危险化学品经营许可证")
    renewed = {**licences[1], "expires_on": str(today + timedelta(days=1095))}
    r = api.patch(f"/api/v1/enterprises/{eid}", json={"licences": [renewed]})
    assert r.status_code == 200, r.text
    after = r.json()["licences"]
    assert [(i["id"], i["status"]) for i in after] == [(kept_id, "valid")]
    assert r.json()["licence_status"] == "valid"
    assert eid not in listed("expired")

    # An update that does not mention licences leaves them alone.
    r = api.patch(f"/api/v1/enterprises/{eid}", json={"employees": 130})
    assert len(r.json()["licences"]) == 1
    with ctx.session_factory() as s:
        audit = s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_id == str(eid),
                AuditEntry.action == "enterprises.enterprise.update",
            )
            .order_by(AuditEntry.id)
        ).first()
    assert audit is not None
    assert audit.before is not None
    assert audit.after is not None
    assert len(audit.before["licences"]) == 3
    assert len(audit.after["licences"]) == 1

    # An empty list clears them.
    r = api.patch(f"/api/v1/enterprises/{eid}", json={"licences": []})
    assert r.json()["licences"] == []
    assert r.json()["licence_status"] is None


def test_licence_dates_and_duplicates_are_checked(as_user):
    api = as_user("bureau")
    backwards = {
        "kind": "安全生产许可证",
        "number": "X1",
        "issued_on": "2026-01-02",
        "expires_on": "2026-01-01",
    }
    r = api.post("/api/v1/enterprises", json=payload(licences=[backwards]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "licences.0.expires_on"
    twice = {"kind": "安全生产许可证", "number": "X1", "expires_on": "2029-01-01"}
    r = api.post("/api/v1/enterprises", json=payload(licences=[twice, twice]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "licences"


# ---------------------------------------------------------------- filters and lookups


def test_filters(as_user, ids):
    api = as_user("bureau")
    api.post(
        "/api/v1/enterprises",
        json=payload(
            point=POINT_B,
            credit_code=make_credit_code(7030),
            name="昌州物流有限公司",
            industry_code="5430",
            scale="below",
            stores_hazardous_chemicals=False,
            has_major_hazard=False,
        ),
    )

    def total(**params: Any) -> int:
        return int(api.get("/api/v1/enterprises", params=params).json()["total"])

    assert total() == 3
    assert total(division_code=TOWN_B) == 2
    assert total(q="物流") == 1
    assert total(q=CREDIT_A[:12]) == 1
    assert total(industry_code="26") == 2
    assert total(industry_code="543") == 1
    assert total(scale="below") == 1
    assert total(hazardous="true") == 2
    assert total(hazardous="false") == 1
    assert total(has_major_hazard="false") == 3


def test_industries_list(as_user):
    r = as_user("town_a").get("/api/v1/industries")
    assert r.status_code == 200
    items = {i["code"]: i for i in r.json()}
    assert len(items) == 97
    assert items["26"]["section"] == "C"
    assert items["26"]["section_name"] == "制造业"


# ---------------------------------------------------------------- scoping


def test_enterprise_officer_sees_and_edits_only_their_own(as_user, ids):
    api = as_user("ent_a")
    a, b = ids["enterprise:A"], ids["enterprise:B"]
    page = api.get("/api/v1/enterprises").json()
    assert page["total"] == 1
    assert page["items"][0]["id"] == a
    assert api.get(f"/api/v1/enterprises/{a}").status_code == 200
    assert api.get(f"/api/v1/enterprises/{b}").status_code == 404
    assert api.patch(f"/api/v1/enterprises/{b}", json={"employees": 1}).status_code == 404
    features = api.get("/api/v1/enterprises.geojson").json()["features"]
    assert [f["id"] for f in features] == [a]

    contacts = [{"name": "赵强", "role": "安全总监", "phone": "13900000001"}]
    r = api.patch(f"/api/v1/enterprises/{a}", json={"contacts": contacts})
    assert r.status_code == 200, r.text
    assert r.json()["contacts"] == contacts

    r = api.patch(f"/api/v1/enterprises/{a}", json={"credit_code": make_credit_code(7040)})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["credit_code"]
    r = api.patch(f"/api/v1/enterprises/{a}", json={"longitude": POINT_B[0]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "longitude"
    r = api.patch(f"/api/v1/enterprises/{a}", json={"division_code": TOWN_B})
    assert r.status_code == 422

    r = api.post("/api/v1/enterprises", json=payload(credit_code=make_credit_code(7041)))
    assert r.status_code == 403
    assert api.post(f"/api/v1/enterprises/{a}/retire", json={"reason": "x"}).status_code == 403
    assert upload(api, workbook([])).status_code == 403
    assert api.get(f"/api/v1/enterprises/{a}").json()["retired_at"] is None


def test_township_officer_sees_only_their_township(as_user, ids):
    api = as_user("town_a")
    a, b = ids["enterprise:A"], ids["enterprise:B"]
    assert api.get(f"/api/v1/enterprises/{b}").status_code == 404
    assert api.patch(f"/api/v1/enterprises/{b}", json={"employees": 1}).status_code == 404
    listed = {i["id"] for i in api.get("/api/v1/enterprises").json()["items"]}
    assert listed == {a}
    # Registering an enterprise in another township is refused.
    r = api.post(
        "/api/v1/enterprises",
        json=payload(point=POINT_B, credit_code=make_credit_code(7050)),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_code"
    r = api.post("/api/v1/enterprises", json=payload(credit_code=make_credit_code(7051)))
    assert r.status_code == 201, r.text


def test_expiring_licences_are_scoped(as_user, ids):
    soon = str(local_today("Asia/Shanghai") + timedelta(days=5))
    lic = {"kind": "安全生产许可证", "number": "B-1", "expires_on": soon}
    r = as_user("bureau").patch(
        f"/api/v1/enterprises/{ids['enterprise:B']}", json={"licences": [lic]}
    )
    assert r.status_code == 200, r.text
    assert as_user("bureau").get("/api/v1/enterprises/licences/expiring").json()["total"] == 1
    assert as_user("town_b").get("/api/v1/enterprises/licences/expiring").json()["total"] == 1
    assert as_user("town_a").get("/api/v1/enterprises/licences/expiring").json()["total"] == 0
    assert as_user("ent_a").get("/api/v1/enterprises/licences/expiring").json()["total"] == 0


# ---------------------------------------------------------------- CLI


@pytest.fixture
def cli_env(ctx, monkeypatch):
    from yingji.settings import get_settings

    monkeypatch.setenv("YINGJI_DATABASE_URL", ctx.settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_creates_enterprise_officer_by_credit_code(cli_env, ctx, ids):
    from yingji.entrypoints.cli import app

    args = ["user", "create", "officer_b", "--role", "enterprise_officer"]
    result = CliRunner().invoke(
        app, [*args, "--enterprise", CREDIT_B, "--password-stdin"], input="Test-pass-2026\n"
    )
    assert result.exit_code == 0, result.output
    assert "officer_b" in result.output
    with ctx.session_factory() as s:
        user = s.scalar(select(User).where(User.username == "officer_b"))
    assert user is not None
    assert (user.role, user.enterprise_id) == ("enterprise_officer", ids["enterprise:B"])


def test_cli_refuses_unknown_credit_code(cli_env, ctx):
    from yingji.entrypoints.cli import app

    unknown = make_credit_code(7060)
    args = ["user", "create", "officer_x", "--role", "enterprise_officer"]
    result = CliRunner().invoke(
        app, [*args, "--enterprise", unknown, "--password-stdin"], input="Test-pass-2026\n"
    )
    assert result.exit_code != 0
    assert unknown in result.output
    with ctx.session_factory() as s:
        assert s.scalar(select(User).where(User.username == "officer_x")) is None
