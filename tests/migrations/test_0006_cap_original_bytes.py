"""Upgrade 0005 → 0006 on a populated database: stored CAP messages survive with their text,
``raw`` is empty for them (their text is the document), and new rows keep bytes exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from yingji.core.db import make_engine
from yingji.early_warnings.models import WarningMessage
from yingji.migrations.runner import upgrade

_DOC = '<?xml version="1.0" encoding="UTF-8"?>\n<alert>暴雨</alert>\n'


def test_upgrade_keeps_messages_and_stores_bytes_afterwards(empty_url):
    upgrade(empty_url, "0005")
    engine = make_engine(empty_url)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO early_warnings_warning (title, signal, level, issuer,"
                    " division_code, area_codes, area_desc, starts_at, ends_at, description,"
                    " measures, contact, channels, state, origin, cap_status, created_at,"
                    " updated_at) VALUES ('暴雨预警', 'rainstorm', 'blue', '荣昌区应急管理局',"
                    " '500153', '[]', '荣昌区', :at, :at, '', '', '', '[]', 'published',"
                    " 'local', 'Actual', :at, :at)"
                ),
                {"at": at},
            )
            warning_id = conn.execute(text("SELECT id FROM early_warnings_warning")).scalar()
            conn.execute(
                text(
                    "INSERT INTO early_warnings_message (warning_id, seq, identifier, sender,"
                    " sent, sent_at, msg_type, status, scope, xml, queued, created_at) VALUES"
                    " (:w, 1, 'ID-1', 'S', '2026-12-01T08:00:00+08:00', :at, 'Alert',"
                    " 'Actual', 'Public', :xml, 0, :at)"
                ),
                {"w": warning_id, "at": at, "xml": _DOC},
            )
        upgrade(empty_url, "0006")
        factory = sessionmaker(engine)
        with factory() as session:
            old = session.scalars(select(WarningMessage)).one()
            assert (old.xml, old.raw) == (_DOC, None)
            latin = '<?xml version="1.0" encoding="ISO-8859-1"?><alert>é</alert>'.encode("latin-1")
            session.add(
                WarningMessage(
                    warning_id=warning_id,
                    seq=2,
                    identifier="ID-2",
                    sender="S",
                    sent="2026-12-01T09:00:00+08:00",
                    sent_at=at,
                    msg_type="Update",
                    status="Actual",
                    scope="Public",
                    xml=latin.decode("latin-1"),
                    raw=latin,
                    queued=0,
                    created_at=at,
                )
            )
            session.commit()
        with factory() as session:
            row = session.scalars(select(WarningMessage).where(WarningMessage.seq == 2)).one()
            assert row.raw == latin
    finally:
        engine.dispose()
