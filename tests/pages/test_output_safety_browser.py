"""Output safety in headless Chromium: script payloads stored in every free-text field that
reaches a page or a map popup stay text (docs/security.md, "Output safety").

The records are stored through the API; an administrator then opens the lists, the details,
the maps (every tooltip and popup opened), the device chart (its tooltip shown) and the
command page. Nothing may run (``window.__xss`` stays undefined, no dialog opens), no
Content-Security-Policy violation may be reported (``support.browser`` fails the test on one,
and on an uncaught script error), and every page carries the policy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from monitoring.helpers import send
from risks.hazards.helpers import report_body
from support.browser import DESKTOP, login, new_page, watch_of
from support.district import POINT_A, TOWN_A, VILLAGE_A1
from support.samples import SAMPLES

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "</script><script>window.__xss=1</script>",
]
# Free-text fields of the registry samples besides the name (set when the sample has them).
_REGISTRY_TEXT = (
    "description",
    "facilities",
    "responsible_person",
    "owner_department",
    "manager",
    "title",
    "contact_person",
    "principal_name",
    "specification",
)
MARK = "window.__xss=1"

# Opens every tooltip and popup of a Leaflet map, one after another, so their content is built.
_OPEN_ALL = """(name) => {
  const map = window[name];
  let opened = 0;
  map.eachLayer((layer) => {
    if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened += 1; }
    if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened += 1; }
  });
  return opened;
}"""


def _ok(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json())


def _registries(as_user: Any) -> list[str]:
    """Store three records per registry, one per payload; return their detail URLs."""
    bureau = as_user("bureau")
    urls = []
    for name, sample in SAMPLES.items():
        for i, payload in enumerate(PAYLOADS):
            body = sample(POINT_A, f"{name}{i}")
            body["name"] = f"{payload}{i}"
            for key in _REGISTRY_TEXT:
                if isinstance(body.get(key), str):
                    body[key] = payload
                elif isinstance(body.get(key), list):
                    body[key] = [payload]
            record = _ok(bureau.post(f"/api/v1/{name}", json=body))
            urls.append(f"/{name}/{record['id']}")
    return urls


def _device(as_user: Any, ctx: Any) -> str:
    device = _ok(
        as_user("town_a").post(
            "/api/v1/monitoring/devices",
            json={
                "code": "XSS-1",
                "name": PAYLOADS[2],
                "kind": "combustible_gas",
                "division_code": TOWN_A,
                "site_name": PAYLOADS[1],
                "linked_kind": "other",
                "linked_name": PAYLOADS[0],
                "metrics": [
                    {"code": "gas", "unit": "%LEL", "label": PAYLOADS[2]},
                    {"code": "temp", "unit": '"><b>', "label": PAYLOADS[1]},
                ],
            },
        )
    )
    now = ctx.clock.now()
    for minutes, value in ((20, 1.0), (10, 2.0), (1, 3.0)):
        at = (now - timedelta(minutes=minutes)).isoformat()
        send(ctx, "XSS-1", {"metric": "gas", "value": value, "observed_at": at})
        send(ctx, "XSS-1", {"metric": "temp", "value": value * 10, "observed_at": at})
    return f"/monitoring/devices/{device['id']}"


def _hazards(as_user: Any) -> list[str]:
    urls = []
    for payload in PAYLOADS:
        body = report_body(title=payload, description=payload)
        urls.append(f"/hazards/{_ok(as_user('bureau').post('/api/v1/hazards', json=body))['id']}")
    return urls


def _warning(as_user: Any, ctx: Any) -> str:
    now = ctx.clock.now()
    body = {
        "title": PAYLOADS[0],
        "signal": "rainstorm",
        "level": "orange",
        "division_codes": [TOWN_A],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=12)).isoformat(),
        "description": PAYLOADS[1],
        "measures": PAYLOADS[2],
        "contact": "023-46731234",
        "channels": ["in_app"],
    }
    return f"/warnings/{_ok(as_user('town_a').post('/api/v1/warnings', json=body))['id']}"


def _plan(as_user: Any) -> str:
    plan = _ok(
        as_user("bureau").post(
            "/api/v1/plans",
            json={
                "name": PAYLOADS[2],
                "kind": "special",
                "event_types": ["hazmat"],
                "version": {
                    "summary": PAYLOADS[0],
                    "levels": [{"level": 4, "criteria": {"event_types": ["hazmat"]}}],
                    "templates": [
                        {
                            "level": 4,
                            "action": PAYLOADS[1],
                            "role": "duty_officer",
                            "deadline_minutes": 15,
                        }
                    ],
                },
            },
        )
    )
    _ok(as_user("bureau").post(f"/api/v1/plans/{plan['id']}/publish"), 200)
    return f"/plans/{plan['id']}"


def _incident(as_user: Any) -> str:
    incident = _ok(
        as_user("duty").post(
            "/api/v1/incidents",
            json={
                "category": "accident",
                "type": "hazmat",
                "occurred_at": "2026-06-01T09:30:00+08:00",
                "longitude": POINT_A[0],
                "latitude": POINT_A[1],
                "title": PAYLOADS[2],
                "description": PAYLOADS[1],
                "place": PAYLOADS[0],
                "unit_name": PAYLOADS[1],
                "reporter_name": PAYLOADS[0],
                "deaths": 0,
                "injuries": 1,
            },
        )
    )
    return f"/incidents/{incident['id']}"


def _evacuation(as_user: Any) -> str:
    plan = _ok(
        as_user("town_a").post(
            "/api/v1/evacuation-plans",
            json={"title": PAYLOADS[0], "village_codes": [VILLAGE_A1], "populations": {}},
        )
    )
    return f"/evacuation/{plan['id']}"


def _visit(page: Any, base: str, path: str, *, shows_payload: bool = True) -> None:
    answer = page.goto(base + path)
    assert answer is not None, path
    assert answer.status == 200, path
    assert "script-src 'self'" in answer.headers.get("content-security-policy", ""), path
    page.wait_for_load_state("load")
    if shows_payload:
        assert MARK in page.inner_text("body"), f"{path} does not show the stored text"
    _nothing_ran(page, path)


def _nothing_ran(page: Any, where: str) -> None:
    assert page.evaluate("() => window.__xss") is None, where
    assert page.locator("img[src=x]").count() == 0, where


def _open_map(page: Any, selector: str, handle: str) -> None:
    page.wait_for_selector(f"{selector}[data-state=ready]")
    assert page.evaluate(_OPEN_ALL, handle) > 0
    page.wait_for_timeout(300)  # an injected <img onerror> would fire by now
    _nothing_ran(page, selector)


def _watched_page(browser: Any, dialogs: list[str]) -> Any:
    page = new_page(browser, DESKTOP)

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return page


def test_one_map_shows_stored_payloads_as_text(
    live_server: str, browser: Any, as_user: Any
) -> None:
    _registries(as_user)
    _hazards(as_user)
    _incident(as_user)
    dialogs: list[str] = []
    page = _watched_page(browser, dialogs)
    try:
        login(page, live_server, "admin")
        page.wait_for_url(f"{live_server}/")
        _visit(page, live_server, "/map", shows_payload=False)
        _open_map(page, "#map", "yingjiMap")
        assert MARK in page.inner_text("#map")  # the popups and tooltips show it as text
        assert dialogs == []
        assert watch_of(page).take() == []
    finally:
        page.context.close()


def test_stored_script_payloads_never_run(
    live_server: str, browser: Any, as_user: Any, ctx: Any
) -> None:
    registry_urls = _registries(as_user)
    device_url = _device(as_user, ctx)
    hazard_urls = _hazards(as_user)
    warning_url = _warning(as_user, ctx)
    plan_url = _plan(as_user)
    incident_url = _incident(as_user)
    evacuation_url = _evacuation(as_user)

    dialogs: list[str] = []
    page = _watched_page(browser, dialogs)
    try:
        login(page, live_server, "admin")
        page.wait_for_url(f"{live_server}/")
        lists = [f"/{name}" for name in SAMPLES] + ["/hazards", "/warnings", "/plans"]
        lists += ["/incidents", "/duty-desk", "/monitoring/devices", "/evacuation"]
        details = registry_urls + hazard_urls + [warning_url, plan_url, incident_url]
        for path in lists + details + [f"{plan_url}/edit"]:
            _visit(page, live_server, path)

        _visit(page, live_server, incident_url + "/response")  # the command page
        page.wait_for_selector("#response-map[data-state=ready]")

        _visit(page, live_server, evacuation_url)
        assert page.evaluate(_OPEN_ALL, "yingjiEvacuationMap") > 0
        _nothing_ran(page, "evacuation map")

        _visit(page, live_server, "/risks/colour-map", shows_payload=False)
        _open_map(page, "#risk-map", "yingjiMap")

        _visit(page, live_server, device_url)
        page.wait_for_selector("#reading-chart canvas")
        box = page.locator("#reading-chart").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(300)  # the axis tooltip (HTML) is drawn with the metric labels
        assert MARK in page.inner_text("#reading-chart")  # the tooltip shows the labels as text
        _nothing_ran(page, "device chart")
        assert dialogs == []
        assert watch_of(page).take() == []
    finally:
        page.context.close()
