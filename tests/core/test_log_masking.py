"""Personal numbers never reach a log line or a traceback (《个人信息保护法》第五十一条)."""

from __future__ import annotations

import logging

from yingji.core.privacy import install_log_masking, mask_text


def test_mask_text_hides_mobiles_and_identity_numbers_only():
    line = "call 13812341234, id 11010519491231002X, order 202612070001234567890, tel 12350"
    masked = mask_text(line)
    assert "13812341234" not in masked
    assert "138****1234" in masked
    assert "11010519491231002X" not in masked
    assert "110105********002X" in masked
    assert "202612070001234567890" in masked, "a longer run of digits is not a personal number"
    assert "12350" in masked, "service numbers stay"


def test_log_records_and_tracebacks_are_masked(caplog):
    install_log_masking()
    log = logging.getLogger("yingji.test.privacy")
    with caplog.at_level(logging.INFO):
        log.info("reporter %s called", "13912345678")
        try:
            raise ValueError("duplicate phone 13712345678")
        except ValueError:
            log.exception("insert failed")
    text = caplog.text
    assert "13912345678" not in text
    assert "139****5678" in text
    assert "13712345678" not in text, "the traceback is masked too"
    assert "137****5678" in text
