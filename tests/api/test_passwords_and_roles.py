"""The KDF on its real parameters, and the role table against SPEC §6."""

from __future__ import annotations

import pytest
from support.api_spec import ROLES, SPEC_TABLE

from connext.api.accounts import KDF, RIGHTS, Forbidden, Right, Role, authorize


def test_the_role_table_is_the_spec_table() -> None:
    assert set(RIGHTS) == set(SPEC_TABLE) == set(Right)
    for right, expected in SPEC_TABLE.items():
        assert tuple(role in RIGHTS[right][1] for role in ROLES) == expected, right


@pytest.mark.parametrize("right", list(Right))
@pytest.mark.parametrize("role", ROLES)
def test_authorize_follows_the_table_and_names_the_missing_right(right: Right, role: Role) -> None:
    if SPEC_TABLE[right][ROLES.index(role)]:
        authorize(right, role)
        return
    with pytest.raises(Forbidden) as refused:
        authorize(right, role)
    assert str(refused.value).startswith(RIGHTS[right][0] + ": needs ")
    assert str(refused.value).endswith(f"; you are {role.value}")


def test_the_refusal_reads_as_a_sentence() -> None:
    with pytest.raises(Forbidden, match=r"^change the charging strategy: needs owner or administrator; you are user$"):
        authorize(Right.CHANGE_STRATEGY, Role.USER)
    with pytest.raises(Forbidden, match=r"^appoint administrators: needs owner; you are administrator$"):
        authorize(Right.APPOINT_ADMINISTRATORS, Role.ADMINISTRATOR)


def test_the_kdf_is_memory_hard_salted_and_checks_in_constant_time() -> None:
    assert (KDF.n, KDF.r, KDF.p) == (2**14, 8, 5)  # 16 MiB per hash; docs/api.md
    first, second = KDF.hash("correct horse"), KDF.hash("correct horse")
    assert first != second and first.startswith("scrypt$16384$8$5$")  # a fresh salt each time
    assert KDF.verify("correct horse", first) == (True, None)
    assert KDF.verify("correct hors", first) == (False, None)
    with pytest.raises(ValueError, match="scrypt"):
        KDF.verify("x", "plain-text")
