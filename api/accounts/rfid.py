"""RFID cards for the wallboxes' Offline mode (SPEC §2): at most 8 cards per wallbox,
and one card may be enrolled on several wallboxes.

A card is its UID as the reader reports it: 4, 7 or 10 bytes (ISO/IEC 14443 single,
double and triple size), kept as upper-case hex. Changing a card returns the wallboxes
whose list changed; pushing the new lists to them is the wallbox actors' job
(`actors.messages.SetRfidCards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connext.core.clock import Clock
from connext.core.config.model import WALLBOX_ADDRESS
from connext.core.config.schema import Problem, Rule, matches
from connext.core.store import Store

from .errors import BadValue, Conflict, NotFound

MAX_CARDS_PER_WALLBOX = 8
CARD_ID = matches(
    r"[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{20}",
    "must be a card UID of 4, 7 or 10 bytes written in hex (8, 14 or 20 hex digits)",
)
LABEL = matches(r"[^\x00-\x1f\x7f]{0,40}", "must be at most 40 printable characters")
WALLBOXES = Rule("must list 1..8 different wallbox addresses", lambda v: 1 <= len(v) == len(set(v)) <= 8)


@dataclass(frozen=True, slots=True)
class Card:
    card: str
    label: str
    wallboxes: tuple[int, ...]

    def view(self) -> dict[str, Any]:
        return {"card": self.card, "label": self.label, "wallboxes": list(self.wallboxes)}


def check_card(card: str) -> str:
    """The normalised (upper-case) card id, or `BadValue`."""
    if not CARD_ID.check(card):
        raise BadValue(str(Problem("card", card, CARD_ID.text)))
    return card.upper()


def _check_enrolment(label: str, wallboxes: tuple[int, ...]) -> None:
    if not LABEL.check(label):
        raise BadValue(str(Problem("label", label, LABEL.text)))
    if not WALLBOXES.check(wallboxes):
        raise BadValue(str(Problem("wallboxes", list(wallboxes), WALLBOXES.text)))
    for address in wallboxes:
        if not WALLBOX_ADDRESS.check(address):
            raise BadValue(str(Problem("wallboxes[]", address, WALLBOX_ADDRESS.text)))


class RfidCards:
    """The card table over one `Store` connection."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def list(self) -> list[Card]:
        rows = self.store.db.execute(
            "SELECT c.card, c.label, group_concat(e.wallbox) FROM rfid_cards c"
            " LEFT JOIN rfid_enrolments e ON e.card = c.card GROUP BY c.card ORDER BY c.card"
        )
        return [Card(card, label, _addresses(joined)) for card, label, joined in rows]

    def get(self, card: str) -> Card:
        for found in self.list():
            if found.card == check_card(card):
                return found
        raise NotFound(f"no RFID card {card.upper()}")

    def cards_of(self, wallbox: int) -> tuple[str, ...]:
        """The list a wallbox must hold."""
        rows = self.store.db.execute("SELECT card FROM rfid_enrolments WHERE wallbox = ? ORDER BY card", (wallbox,))
        return tuple(card for (card,) in rows)

    def put(self, card: str, label: str, wallboxes: tuple[int, ...]) -> tuple[Card, tuple[int, ...]]:
        """Create or replace a card's enrolment; returns it and the wallboxes whose list changed."""
        card = check_card(card)
        _check_enrolment(label, wallboxes)
        with self.store.transaction() as db:
            before = {w for (w,) in db.execute("SELECT wallbox FROM rfid_enrolments WHERE card = ?", (card,))}
            for address in sorted(set(wallboxes) - before):
                (count,) = db.execute("SELECT COUNT(*) FROM rfid_enrolments WHERE wallbox = ?", (address,)).fetchone()
                if count >= MAX_CARDS_PER_WALLBOX:
                    raise Conflict(
                        f"wallbox {address} already holds {count} cards (at most {MAX_CARDS_PER_WALLBOX} per"
                        " wallbox): remove one first"
                    )
            db.execute(
                "INSERT INTO rfid_cards (card, label, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (card) DO UPDATE SET label = excluded.label",
                (card, label, self.clock.now().timestamp()),
            )
            db.execute("DELETE FROM rfid_enrolments WHERE card = ?", (card,))
            db.executemany("INSERT INTO rfid_enrolments (card, wallbox) VALUES (?, ?)", [(card, w) for w in wallboxes])
        changed = tuple(sorted(before.symmetric_difference(wallboxes)))
        return Card(card, label, tuple(sorted(wallboxes))), changed

    def remove(self, card: str) -> tuple[int, ...]:
        """Delete a card everywhere; returns the wallboxes whose list changed."""
        existing = self.get(card)
        self.store.db.execute("DELETE FROM rfid_cards WHERE card = ?", (existing.card,))
        return existing.wallboxes


def _addresses(joined: str | None) -> tuple[int, ...]:
    return tuple(sorted(int(w) for w in joined.split(","))) if joined else ()
