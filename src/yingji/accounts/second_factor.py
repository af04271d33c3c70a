"""TOTP second factor (RFC 6238) for sign-in: secrets, codes, sealing and the enrolment QR.

等保 2.0 三级 (GB/T 22239-2019 8.1.4.1 d) asks that administrators authenticate with two or
more factors, one of them cryptographic; a TOTP authenticator app (30-second steps, 6 digits,
SHA-1, the parameters every common app reads from an ``otpauth://`` URI) is the usual second
one. This module is pure: the service stores what it returns and decides who must enrol.

Secrets are sealed with Fernet under a key derived from ``Settings.secret_key``, so a copy of
the database alone yields no codes; rotating the secret key therefore means re-enrolling
(``yingji user reset-second-factor``).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from markupsafe import Markup

STEP_SECONDS = 30
DIGITS = 6
# One step either side: a phone clock a little off still works (RFC 6238 §5.2 recommends at
# most one step of allowed delay).
WINDOW = 1


def new_secret() -> str:
    """Return a fresh base32 secret (160 bits, the RFC 4226 recommended length)."""
    return pyotp.random_base32(32)


def _fernet(key_material: str) -> Fernet:
    # A domain-separated derivation: the session cookie signer uses the same secret key.
    digest = hashlib.sha256(b"yingji.second_factor\x00" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str, key_material: str) -> str:
    """Return ``secret`` encrypted for storage."""
    return _fernet(key_material).encrypt(secret.encode()).decode()


def unseal(sealed: str, key_material: str) -> str | None:
    """Return the secret, or None when it was sealed under another key (the key rotated)."""
    try:
        return _fernet(key_material).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def step_of(at: datetime) -> int:
    """Return the TOTP time step that contains ``at``."""
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    """Return the code an authenticator shows at ``at`` (tests and the demo use it)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(at)


def matching_step(secret: str, code: str, at: datetime, after_step: int) -> int | None:
    """Return the time step whose code equals ``code`` near ``at``, or None.

    Only steps later than ``after_step`` count, so a code that was accepted once (or an older
    one seen over a shoulder) is refused even inside the window.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = step_of(at)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if step > after_step and pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """Return the ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=issuer
    )


def qr_svg(uri: str) -> Markup:
    """Return the QR code of ``uri`` as inline SVG markup (no script, no external image).

    Markup because segno writes only paths from the QR matrix; the URI itself (which holds
    the username) is encoded in the modules, never copied into the SVG as text.
    """
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#1f2937", light="#ffffff")
    return Markup(svg)  # noqa: S704 (generated paths, no user text)


def grouped(secret: str) -> str:
    """Return the secret in groups of four for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
