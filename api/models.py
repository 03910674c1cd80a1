"""Request and response bodies of the API (strict: unknown keys and wrong types are refused)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from connext.control.strategy import PARAMETERS
from connext.core.config import ChargingConfig, LogicConfig, SiteConfig, WallboxConfig
from connext.core.config.model import WALLBOX_ADDRESS
from connext.core.config.schema import Rule

from .accounts.accounts import NAME, PASSWORD
from .accounts.rfid import CARD_ID, LABEL, WALLBOXES
from .config_models import STRICT, describe, obeys, section_model

LOGIN_PASSWORD = Rule("must be 1..256 characters", lambda v: 1 <= len(v) <= 256)
# what a strategy change may carry: the strategies' own parameters (the Eco thresholds are
# installation settings of [charging] in config.toml, not parameters of a strategy)
STRATEGY_PARAMETERS = tuple(dict.fromkeys(name for names in PARAMETERS.values() for name in names))
WallboxAddress = Annotated[int, obeys(WALLBOX_ADDRESS), Field(description=describe(WALLBOX_ADDRESS))]


class Strict(BaseModel):
    model_config = STRICT


class Credentials(Strict):
    """Name and password of a new account."""

    name: Annotated[str, obeys(NAME), Field(description=describe(NAME), examples=["alice"])]
    password: Annotated[str, obeys(PASSWORD), Field(description=describe(PASSWORD))]


class Login(Strict):
    name: Annotated[str, obeys(NAME), Field(description=describe(NAME), examples=["alice"])]
    password: Annotated[str, obeys(LOGIN_PASSWORD), Field(description=describe(LOGIN_PASSWORD))]


class NewAccount(Credentials):
    """An administrator (needs "appoint administrators") or a user (needs "add / remove users")."""

    role: Literal["administrator", "user"] = "user"


class RoleChange(Strict):
    """administrator: appoint; user: remove the administrator role."""

    role: Literal["administrator", "user"]


class PasswordChange(Strict):
    current: Annotated[str, obeys(LOGIN_PASSWORD), Field(description="the password in use")]
    new: Annotated[str, obeys(PASSWORD), Field(description=describe(PASSWORD))]


class AccountView(BaseModel):
    name: str
    role: Literal["owner", "administrator", "user"]
    created_at: float = Field(description="unix seconds")


class TokenView(BaseModel):
    token: str = Field(description="send it as `Authorization: Bearer <token>`")
    expires_at: float = Field(description="unix seconds")
    account: AccountView


class AuthStatus(BaseModel):
    owner_registered: bool = Field(description="false until the first account (the owner) registers")
    version: str


class CardEnrolment(Strict):
    """Where a card is enrolled (at most 8 cards per wallbox; one card on several wallboxes)."""

    label: Annotated[str, obeys(LABEL), Field(description=describe(LABEL))] = ""
    wallboxes: Annotated[list[WallboxAddress], obeys(WALLBOXES), Field(description=describe(WALLBOXES))]


class CardView(BaseModel):
    card: str = Field(description=describe(CARD_ID))
    label: str
    wallboxes: list[int]


class CardChange(BaseModel):
    card: CardView | None = Field(description="the card now (null once removed)")
    changed_wallboxes: list[int] = Field(description="wallboxes whose card list changed")
    push: dict[str, str] = Field(description="per changed wallbox: how the new list reached it")


class WallboxMode(Strict):
    """Online (driven by the box), Offline (local RFID cards) or Plug&Play (charges on plug-in)."""

    mode: Literal["online", "offline", "plug_and_play"]


class LogicEnabled(Strict):
    enabled: bool


class ErrorBody(BaseModel):
    """Every error: the status again, one sentence, and the problems of an invalid request."""

    status: int
    error: str
    problems: list[str] = Field(default_factory=list)


ContractedPowerChange = section_model(
    "ContractedPowerChange", SiteConfig, ("contracted_power_w",), doc="The new contracted power (W)."
)
StrategyChange = section_model(
    "StrategyChange",
    ChargingConfig,
    ("strategy",),
    optional=STRATEGY_PARAMETERS,
    doc="A strategy and its parameters ([charging] keys of config.toml); absent parameters stay as they are.",
)
OutputLogic = section_model(
    "OutputLogic",
    LogicConfig,
    list(LogicConfig.__dataclass_fields__),
    doc="One output logic ([[logics]] of config.toml): max closes the contact, min opens it.",
)
WallboxRegistration = section_model(
    "WallboxRegistration",
    WallboxConfig,
    ("serial",),
    optional=("address",),
    doc="Register a wallbox heard on the bus by its serial number (address: pick one, or let the box choose).",
)

JsonDict = dict[str, Any]
