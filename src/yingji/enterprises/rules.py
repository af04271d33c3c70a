"""Pure rules for enterprise identifiers, industry codes and licence dates.

Owns: the 统一社会信用代码 (unified social credit code) format and check character, the embedded
组织机构代码 (organisation code) check digit, a deterministic generator of valid codes for demo and
test data, GB/T 4754-2017 industry-code validation, enterprise scale, suggested licence kinds and
licence expiry status. No I/O here: the industry table is passed in by the caller (see
``industries.py`` for the loader).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Final, Literal

# GB 32100-2015 (code structure): 18 characters, digits and upper-case letters except I O Z S V.
CREDIT_CODE_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 32100-2015 (code structure): char 1 registration authority, char 2 entity kind, chars 3-8
# the GB/T 2260 division code of the registering authority (digits only), chars 9-17 the
# 主体标识码 (organisation code), char 18 the check character.
CREDIT_CODE_PATTERN: Final = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# GB 32100-2015 check character (ISO 7064 MOD 31-3, via GB/T 17710): the weight of position i
# is 3**(i-1) mod 31.
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUES: Final = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARSET)}

# GB 11714-1997 check digit: the organisation-code body counts letters by their place in the full
# alphabet (A=10 ... Z=35), not by their place in the shorter GB 32100 charset.
_ORG_CODE_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUES: Final = {ch: i for i, ch in enumerate(_ORG_CODE_ALPHABET)}
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)

# Demo codes are registered by the market regulator ('9') for an enterprise ('1') in 荣昌区.
_DEMO_PREFIX: Final = "91500153"
_DEMO_BODY_SPACE: Final = 10**8
# Odd and coprime with 10**8, so seed -> body is a bijection on 0 <= seed < 10**8 and the
# generated codes look scattered rather than sequential.
_DEMO_MULTIPLIER: Final = 48_271
_DEMO_OFFSET: Final = 31_415_926

# GB/T 4754-2017: 大类 = 2 digits, 中类 = 3 digits, 小类 = 4 digits (门类 letters are not part
# of the numeric code).
INDUSTRY_CODE_PATTERN: Final = re.compile(r"^[0-9]{2}(?:[0-9]{1,2})?$")
_SECTION_PREFIXED: Final = re.compile(r"^[A-T][0-9]{2,4}$")

LicenceStatus = Literal["valid", "expiring", "expired"]


def credit_code_check_char(first17: str) -> str:
    """Compute the 18th (check) character of a unified social credit code."""
    if len(first17) != 17:
        raise ValueError("统一社会信用代码本体应为17位")
    try:
        total = sum(
            _CREDIT_VALUES[ch] * weight for ch, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
        )
    except KeyError as exc:
        raise ValueError(f"含有非法字符：{exc.args[0]}") from exc
    # GB 32100-2015: C18 = 31 - (sum mod 31); the value 31 is written as '0'.
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def organisation_code_check_char(body8: str) -> str:
    """Compute the 9th (check) character of an organisation code from its 8-char body."""
    if len(body8) != 8:
        raise ValueError("组织机构代码本体应为8位")
    try:
        total = sum(
            _ORG_VALUES[ch] * weight for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True)
        )
    except KeyError as exc:
        raise ValueError(f"含有非法字符：{exc.args[0]}") from exc
    # GB 11714-1997: C9 = 11 - (sum mod 11); 10 is written 'X' and 11 is written '0'.
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def validate_credit_code(code: str, *, check_organisation_code: bool = False) -> str | None:
    """Return None if ``code`` is a valid credit code, else the reason in Chinese."""
    if code != code.strip():
        return "前后不应有空格"
    if len(code) != 18:
        return "长度应为18位"
    if code != code.upper():
        return "字母应为大写"
    bad = sorted({ch for ch in code if ch not in _CREDIT_VALUES})
    if bad:
        # GB 32100-2015: I, O, Z, S, V are excluded to avoid confusion with digits.
        return f"含有非法字符：{''.join(bad)}"
    if not code[2:8].isdigit():
        # GB 32100-2015: chars 3-8 are the GB/T 2260 division code.
        return "第3至8位（登记管理机关行政区划码）应为数字"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"校验码错误，应为{expected}"
    # GB 32100-2015 says chars 9-17 are the organisation code "per GB 11714", so its own
    # check digit should hold. It is off by default because the widely used validators
    # (python-stdnum, Hutool) check only char 18, legacy codes issued before the standard
    # settled are known to break even that (e.g. some pre-2016 Xiamen codes, Hutool #4119),
    # and we have no official statement that every issued 主体标识码 passes GB 11714. Turning it
    # on could refuse an enterprise its own licence number; use it as a data-quality hint.
    if check_organisation_code:
        org_expected = organisation_code_check_char(code[8:16])
        if code[16] != org_expected:
            return f"主体标识码（组织机构代码）校验位错误，应为{org_expected}"
    return None


def make_credit_code(seed: int) -> str:
    """Build a valid, deterministic credit code for demo and test data from ``seed``."""
    if seed < 0:
        raise ValueError("seed 不能为负数")
    # Distinct for 0 <= seed < 10**8; larger seeds wrap around.
    body = f"{(seed * _DEMO_MULTIPLIER + _DEMO_OFFSET) % _DEMO_BODY_SPACE:08d}"
    org_code = body + organisation_code_check_char(body)
    first17 = _DEMO_PREFIX + org_code
    return first17 + credit_code_check_char(first17)


def validate_industry_code(code: str, known: Mapping[str, str]) -> str | None:
    """Return None if ``code`` is a GB/T 4754-2017 code under a known 大类, else the reason."""
    if _SECTION_PREFIXED.match(code):
        # Registries often show "C2614"; the stored code is the numeric part only.
        return "不应带门类字母，请只填写数字代码"
    if not INDUSTRY_CODE_PATTERN.match(code):
        return "应为2至4位数字（大类、中类或小类代码）"
    division = code[:2]
    if division not in known:
        return f"大类代码{division}不存在"
    return None


def licence_status(expires_on: date, today: date, warn_days: int = 30) -> LicenceStatus:
    """Classify a licence as valid, expiring within ``warn_days`` days, or expired."""
    if warn_days < 0:
        raise ValueError("warn_days 不能为负数")
    # A licence "valid until D" is still in force on D itself, so it expires the day after.
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= warn_days:
        return "expiring"
    return "valid"


class EnterpriseScale(StrEnum):
    """规上 / 规下: whether the enterprise is counted 规模以上 in the statistics."""

    # 国家统计局: 规模以上工业企业 = annual main-business revenue of 20 million yuan or more
    # (other sectors use their own 限额以上 thresholds); the registry records the bureau's
    # classification, it does not recompute it.
    ABOVE = "above"
    BELOW = "below"


SCALE_LABELS: Final = {"above": "规上", "below": "规下"}
LICENCE_STATUS_LABELS: Final = {"valid": "有效", "expiring": "即将到期", "expired": "已过期"}

# Suggested licence kinds (free text is accepted: local licences vary). Sources:
# 《安全生产许可证条例》 (国务院令第397号; mines, construction, hazardous chemicals,
# fireworks and civil explosives producers), 《危险化学品经营许可证管理办法》
# (原国家安全监管总局令第55号, amended by 第79号), 《危险化学品安全使用许可证实施办法》,
# 《危险化学品登记管理办法》, 《烟花爆竹经营许可实施办法》.
LICENCE_KINDS: Final = (
    "安全生产许可证",
    "危险化学品经营许可证",
    "危险化学品安全使用许可证",
    "危险化学品登记证",
    "烟花爆竹经营（批发）许可证",
    "烟花爆竹经营（零售）许可证",
)

_STATUS_RANK: Final[dict[LicenceStatus, int]] = {"valid": 0, "expiring": 1, "expired": 2}


def worst_licence_status(statuses: Iterable[LicenceStatus]) -> LicenceStatus | None:
    """Return the most urgent of the statuses (expired > expiring > valid), None if empty."""
    return max(statuses, key=_STATUS_RANK.__getitem__, default=None)
