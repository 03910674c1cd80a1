"""Why a wallbox has the setpoint it has: the short, fixed list (SPEC §10).

Every setpoint carries exactly one of these; they are also the values of the
`reason` label of `connext_site_setpoint_reason`, so the list must stay short.
"""

from __future__ import annotations

# wallbox or vehicle
NO_VEHICLE = "no_vehicle"  # nothing plugged in
UNAVAILABLE = "wallbox_unavailable"  # fault, offline, not registered, needs support
MAX_CURRENT = "max_current"  # capped by the wallbox's or the vehicle's maximum
BELOW_MIN_CURRENT = "below_min_current"  # wanted < 6 A on three phases, cannot switch to one
# load management (safety)
CONTRACT_LIMIT = "contract_limit"  # the contracted power binds
PHASE_LIMIT = "phase_limit"  # one phase's share of the contracted power binds
STALE_METER = "stale_meter"  # no fresh grid value: safe current
SHUTDOWN = "shutdown"  # the daemon is stopping: safe current
# strategies
FAST = "fast"
KM_CHARGING = "km_charging"
KM_TARGET_REACHED = "km_target_reached"
PV_SURPLUS = "pv_surplus"  # following the PV production
ECO_TOPUP = "eco_topup"  # Ecological mixed: the grid tops the car up to the minimum
PV_BELOW_THRESHOLD = "pv_below_threshold"  # standby until the smoothed PV passes the threshold
PV_DWELL = "pv_dwell"  # the threshold is crossed; waiting for the dwell time
STALE_PV = "stale_pv"  # no fresh PV value: no new Eco start, no rise
SCHEDULE_WAIT = "schedule_wait"  # Time-power: before the window
SCHEDULE_POWER = "schedule_power"  # Time-power: in the window at the set power
SCHEDULE_DONE = "schedule_done"  # Time-power: the window is over
# no flapping
MIN_ON_TIME = "min_on_time"
MIN_OFF_TIME = "min_off_time"
MAX_STARTS = "max_starts"
STOP_RAMP = "stop_ramp"  # current reduced to the minimum before a stop

REASONS: tuple[str, ...] = (
    NO_VEHICLE,
    UNAVAILABLE,
    MAX_CURRENT,
    BELOW_MIN_CURRENT,
    CONTRACT_LIMIT,
    PHASE_LIMIT,
    STALE_METER,
    SHUTDOWN,
    FAST,
    KM_CHARGING,
    KM_TARGET_REACHED,
    PV_SURPLUS,
    ECO_TOPUP,
    PV_BELOW_THRESHOLD,
    PV_DWELL,
    STALE_PV,
    SCHEDULE_WAIT,
    SCHEDULE_POWER,
    SCHEDULE_DONE,
    MIN_ON_TIME,
    MIN_OFF_TIME,
    MAX_STARTS,
    STOP_RAMP,
)
