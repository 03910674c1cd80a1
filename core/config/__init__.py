"""Configuration: the model (one dataclass per section), its schema rules, the
topology rules of SPEC §4, and the loader."""

from .loader import from_dict, load_config, parse_config
from .model import (
    STRATEGIES,
    ApiConfig,
    CanConfig,
    ChargingConfig,
    Config,
    CtConfig,
    DebugConfig,
    InverterConfig,
    LoggingConfig,
    LogicConfig,
    MeterConfig,
    MetricsConfig,
    OutputConfig,
    Rs485Config,
    SensorsConfig,
    SiteConfig,
    StorageConfig,
    SupervisorConfig,
    WallboxConfig,
    parse_listen,
)
from .schema import ConfigError, Problem
from .summary import describe_site, site_summary
from .topology import DTSU666_ADDRESS, GRID_SOURCE_KINDS, TOPOLOGIES, Topology

__all__ = [
    "DTSU666_ADDRESS",
    "GRID_SOURCE_KINDS",
    "STRATEGIES",
    "TOPOLOGIES",
    "ApiConfig",
    "CanConfig",
    "ChargingConfig",
    "Config",
    "ConfigError",
    "CtConfig",
    "DebugConfig",
    "InverterConfig",
    "LoggingConfig",
    "LogicConfig",
    "MeterConfig",
    "MetricsConfig",
    "OutputConfig",
    "Problem",
    "Rs485Config",
    "SensorsConfig",
    "SiteConfig",
    "StorageConfig",
    "SupervisorConfig",
    "Topology",
    "WallboxConfig",
    "describe_site",
    "from_dict",
    "load_config",
    "parse_config",
    "parse_listen",
    "site_summary",
]
