"""The auditor reads the audit log and nothing else (GB/T 22239-2019 8.1.4.2: 审计管理员
apart from the system administrator); nobody else but the administrator reads the log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from support.district import POINT_A
from support.samples import SAMPLES
from support.web import login

PASSWORD = "Audit-2026-kx9"


@pytest.fixture
def auditor(as_user, client: TestClient):
    body = {
        "username": "auditor1",
        "display_name": "审计员甲",
        "password": PASSWORD,
        "role": "auditor",
    }
    made = as_user("admin").post("/api/v1/users", json=body)
    assert made.status_code == 201, made.text
    token = client.post(
        "/api/v1/auth/token", data={"username": "auditor1", "password": PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_auditor_has_no_jurisdiction(as_user):
    body = {
        "username": "auditor2",
        "display_name": "审计员乙",
        "password": PASSWORD,
        "role": "auditor",
        "division_code": "500153001",
    }
    answer = as_user("admin").post("/api/v1/users", json=body)
    assert answer.status_code == 422, answer.text


def test_the_auditor_reads_the_log_and_nothing_else(client, as_user, auditor):
    assert (
        as_user("bureau")
        .post("/api/v1/shelters", json=SAMPLES["shelters"](POINT_A, "审计"))
        .status_code
        == 201
    )
    log = client.get("/api/v1/audit-log?action=resources.", headers=auditor)
    assert log.status_code == 200, log.text
    assert log.json()["total"] >= 1
    assert all(e["action"].startswith("resources.") for e in log.json()["items"])
    assert client.get("/api/v1/shelters", headers=auditor).status_code == 403
    write = client.post(
        "/api/v1/shelters", headers=auditor, json=SAMPLES["shelters"](POINT_A, "审计写")
    )
    assert write.status_code == 403


def test_others_cannot_read_the_log(as_user):
    assert as_user("bureau").get("/api/v1/audit-log").status_code == 403
    assert as_user("duty").get("/api/v1/audit-log").status_code == 403
    assert as_user("admin").get("/api/v1/audit-log").status_code == 200


def test_the_auditors_menu_holds_the_audit_log_alone(client, auditor):
    assert login(client, "auditor1", PASSWORD).status_code == 303
    page = client.get("/audit-log")
    assert page.status_code == 200
    assert "审计日志" in page.text
    assert "audit-log" in page.text
    nav = re.search(r"<nav\b.*?</nav>", client.get("/").text, re.S)
    assert nav is not None
    links = set(re.findall(r'href="(/[^"#?]*)"', nav.group(0))) - {"/", "/logout"}
    assert links == {"/audit-log"}
