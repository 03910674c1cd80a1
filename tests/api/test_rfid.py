"""RFID cards: UID format, at most 8 per wallbox, one card on several wallboxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from connext.api.accounts import MAX_CARDS_PER_WALLBOX, MIGRATIONS, Conflict, NotFound, RfidCards
from connext.api.accounts.errors import BadValue
from connext.core.clock import ManualClock
from connext.core.store import Store


@pytest.fixture
def cards(tmp_path: Path, clock: ManualClock):
    store = Store(tmp_path / "site.db", MIGRATIONS)
    yield RfidCards(store, clock)
    store.close()


@pytest.mark.parametrize("uid", ["04a1b2c3", "04A1B2C3D4E5F6", "0102030405060708090A"])
def test_uids_of_4_7_and_10_bytes_are_kept_upper_case(cards: RfidCards, uid: str) -> None:
    card, changed = cards.put(uid, "blue", (1,))
    assert card.card == uid.upper() and changed == (1,)
    assert cards.cards_of(1) == (uid.upper(),)


@pytest.mark.parametrize("uid", ["04a1b2", "04a1b2c3d4", "zz a1b2c3", "04:a1:b2:c3", ""])
def test_a_malformed_uid_is_refused_with_the_rule(cards: RfidCards, uid: str) -> None:
    with pytest.raises(BadValue, match="4, 7 or 10 bytes"):
        cards.put(uid, "", (1,))


def test_one_card_on_several_wallboxes_and_the_changed_lists(cards: RfidCards) -> None:
    cards.put("04A1B2C3", "family car", (1, 2))
    card, changed = cards.put("04A1B2C3", "family car", (2, 3))
    assert card.wallboxes == (2, 3) and changed == (1, 3)
    assert cards.cards_of(1) == () and cards.cards_of(3) == ("04A1B2C3",)
    assert cards.remove("04a1b2c3") == (2, 3)
    with pytest.raises(NotFound):
        cards.get("04A1B2C3")


def test_a_ninth_card_on_a_wallbox_is_refused_and_nothing_changes(cards: RfidCards) -> None:
    for n in range(MAX_CARDS_PER_WALLBOX):
        cards.put(f"0000000{n}", "", (1, 2))
    with pytest.raises(Conflict, match="wallbox 1 already holds 8 cards"):
        cards.put("AAAAAAAA", "", (3, 1))
    assert len(cards.list()) == 8 and cards.cards_of(3) == ()
    cards.put("00000000", "moved", (3,))  # re-enrolling an existing card does not count twice
    cards.put("AAAAAAAA", "", (1,))


@pytest.mark.parametrize(
    ("label", "wallboxes", "message"),
    [("x" * 41, (1,), "label"), ("", (), "1..8 different"), ("", (1, 1), "1..8 different"), ("", (0,), "1..31")],
)
def test_bad_enrolments_are_refused(cards: RfidCards, label: str, wallboxes: tuple[int, ...], message: str) -> None:
    with pytest.raises(BadValue, match=message):
        cards.put("04A1B2C3", label, wallboxes)
