"""Plan-task feedback photos: upload, reference from an action, fetch, scope, the board form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import TOWN_A
from support.web import signed_in
from yingji.adapters.storage import MAX_BYTES
from yingji.core.audit import AuditEntry

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 64


def _dept_task(as_user: Any, plan: dict[str, Any]) -> int:
    """Activate the plan for township A; acknowledge the department's task; return its id."""
    tasks = (
        as_user("duty")
        .post(
            f"/api/v1/plans/{plan['id']}/activations",
            json={"level": 4, "incident_id": 9, "division_code": TOWN_A},
        )
        .json()["tasks"]
    )
    task_id = int(next(t["id"] for t in tasks if t["department_id"] is not None))
    answer = as_user("dept").post(f"/api/v1/plan-tasks/{task_id}/acknowledge", json={})
    assert answer.status_code == 200, answer.text
    return task_id


def _upload(api: Any, task_id: int, data: bytes, content_type: str, name: str = "a.png") -> Any:
    return api.post(
        f"/api/v1/plan-tasks/{task_id}/photos", files={"file": (name, data, content_type)}
    )


def test_upload_feedback_and_fetch_photo(as_user, plan, ctx):
    dept = as_user("dept")
    task_id = _dept_task(as_user, plan)
    uploaded = _upload(dept, task_id, PNG, "image/png")
    assert uploaded.status_code == 201, uploaded.text
    key = uploaded.json()["key"]
    assert key.endswith(".png")
    assert ctx.storage.get(key) == PNG
    feedback = dept.post(
        f"/api/v1/plan-tasks/{task_id}/feedback",
        json={"text": "已到场", "photo_key": key, "longitude": 105.55, "latitude": 29.45},
    )
    assert feedback.status_code == 200, feedback.text
    last = feedback.json()["history"][-1]
    assert (last["photo_key"], last["longitude"], last["latitude"]) == (key, 105.55, 29.45)
    for user in ("dept", "duty", "town_a"):  # everyone who sees the task sees its photo
        photo = as_user(user).get(f"/api/v1/plan-tasks/{task_id}/photos/{key}")
        assert photo.status_code == 200, (user, photo.text)
        assert photo.content == PNG
        assert photo.headers["content-type"] == "image/png"
    with ctx.session_factory() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.entity == "plan_task", AuditEntry.entity_id == str(task_id))
            .order_by(AuditEntry.id)
        ).all()
    assert [a for a, _ in rows] == ["create", "acknowledge", "upload_photo", "feedback"]
    assert rows[2][1] == {"photo_key": key}
    assert rows[3][1]["photo_key"] == key
    assert rows[3][1]["longitude"] == 105.55


def test_photos_are_scoped_to_the_task(as_user, plan, ctx):
    dept = as_user("dept")
    task_id = _dept_task(as_user, plan)
    key = _upload(dept, task_id, PNG, "image/png").json()["key"]
    dept.post(f"/api/v1/plan-tasks/{task_id}/feedback", json={"photo_key": key})
    before = dict(ctx.storage.blobs)
    for outsider in ("town_b", "ent_a", "grid_a"):
        api = as_user(outsider)
        assert _upload(api, task_id, JPEG, "image/jpeg").status_code == 404, outsider
        assert api.get(f"/api/v1/plan-tasks/{task_id}/photos/{key}").status_code == 404
    assert ctx.storage.blobs == before  # nothing stored for a refused upload
    # A blob in storage that no action of this task carries is not served through the task.
    other = ctx.storage.put(JPEG, "image/jpeg")
    assert dept.get(f"/api/v1/plan-tasks/{task_id}/photos/{other}").status_code == 404
    assert dept.get(f"/api/v1/plan-tasks/999999/photos/{key}").status_code == 404


def test_bad_uploads_and_unknown_keys_are_422(as_user, plan, ctx):
    dept = as_user("dept")
    task_id = _dept_task(as_user, plan)
    for data, content_type in (
        (b"%PDF-1.4", "application/pdf"),
        (b"GIF89a", "image/gif"),
        (b"", "image/png"),
        (b"\x00" * (MAX_BYTES + 1), "image/jpeg"),
    ):
        answer = _upload(dept, task_id, data, content_type)
        assert answer.status_code == 422, content_type
        assert answer.json()["errors"][0]["field"] == "file"
    assert ctx.storage.blobs == {}
    url = f"/api/v1/plan-tasks/{task_id}/feedback"
    missing = dept.post(url, json={"text": "x", "photo_key": "0" * 64 + ".png"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "photo_key"
    pdf = ctx.storage.put(b"%PDF-1.4", "application/pdf")  # held, but not a picture
    assert dept.post(url, json={"text": "x", "photo_key": pdf}).status_code == 422
    # The refused feedback changed nothing.
    history = dept.get(f"/api/v1/plan-tasks/{task_id}").json()["history"]
    assert [h["action"] for h in history] == ["acknowledge"]


def test_board_feedback_carries_photo_and_position(client, as_user, plan, ctx):
    task_id = _dept_task(as_user, plan)
    token = signed_in(client, "dept")
    board = client.get("/plan-tasks")
    assert 'enctype="multipart/form-data"' in board.text
    assert 'name="photo"' in board.text
    assert "navigator.geolocation" in board.text
    sent = client.post(
        f"/plan-tasks/{task_id}/feedback",
        data={
            "csrf_token": token,
            "text": "现场已封控",
            "longitude": "105.551",
            "latitude": "29.45",
        },
        files={"photo": ("scene.jpg", JPEG, "image/jpeg")},
        follow_redirects=True,
    )
    assert "任务已反馈" in sent.text, sent.text
    assert "查看照片" in sent.text
    assert "105.55100" in sent.text
    last = as_user("dept").get(f"/api/v1/plan-tasks/{task_id}").json()["history"][-1]
    assert last["text"] == "现场已封控"
    assert ctx.storage.get(last["photo_key"]) == JPEG
    assert (last["longitude"], last["latitude"]) == (105.551, 29.45)
    # Text only, no position (geolocation refused): still fine.
    plain = client.post(
        f"/plan-tasks/{task_id}/feedback",
        data={"csrf_token": token, "text": "继续处置", "longitude": "", "latitude": ""},
        follow_redirects=True,
    )
    assert "任务已反馈" in plain.text
    refused = client.post(
        f"/plan-tasks/{task_id}/feedback",
        data={"csrf_token": token, "text": "附件"},
        files={"photo": ("a.pdf", b"%PDF-1.4", "application/pdf")},
        follow_redirects=True,
    )
    assert "只能上传 JPEG、PNG 或 WebP 图片" in refused.text
    history = as_user("dept").get(f"/api/v1/plan-tasks/{task_id}").json()["history"]
    assert len(history) == 3  # acknowledge + two feedbacks; the refused one left nothing


def test_board_in_a_phone_browser_sends_photo_and_position(
    live_server, browser, shots, as_user, plan, ctx, tmp_path
):
    from support.browser import PHONE, login, new_page

    task_id = _dept_task(as_user, plan)
    photo = tmp_path / "scene.png"
    photo.write_bytes(PNG)
    page = new_page(
        browser,
        PHONE,
        geolocation={"longitude": 105.552, "latitude": 29.451},
        permissions=["geolocation"],
        is_mobile=True,
    )
    try:
        login(page, live_server, "dept")
        page.wait_for_url(f"{live_server}/")
        page.goto(f"{live_server}/plan-tasks")
        form = page.locator(f"#task-{task_id} form.feedback-form")
        page.wait_for_function(
            "() => document.querySelector('.feedback-form .geo-lon').value !== ''"
        )
        form.locator("input[name=text]").fill("现场照片已拍")
        form.locator("input[name=photo]").set_input_files(str(photo))
        form.locator("button[type=submit]").click()
        page.wait_for_selector(f"#task-{task_id} a.task-photo")
        page.screenshot(path=str(shots / "plan-task-feedback-phone.png"), full_page=True)
        assert "105.55200" in page.locator(f"#task-{task_id}").inner_text()
    finally:
        page.context.close()
    last = as_user("dept").get(f"/api/v1/plan-tasks/{task_id}").json()["history"][-1]
    assert ctx.storage.get(last["photo_key"]) == PNG
    assert (last["longitude"], last["latitude"]) == (105.552, 29.451)
