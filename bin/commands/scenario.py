"""connext scenario run: the control code over a scenario, in virtual time."""

from __future__ import annotations

import argparse
import json
import sys

from .common import EXIT_CONFIG, print_problems

NAME = "scenario"
HELP = "run the control code over a scenario in virtual time"
DESCRIPTION = "Scenarios: sim/scenarios/*.toml (see docs/control.md)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    run_parser = actions.add_parser(
        "run",
        help="run FILE, write DIR/timeline.csv, DIR/kpis.json and DIR/plot.png",
        description="Examples: sim/scenarios/*.toml. Prints the KPIs as JSON; exit 2 on a bad file.",
    )
    run_parser.add_argument("file", metavar="FILE", help="scenario TOML")
    run_parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    run_parser.add_argument("--no-plot", action="store_true", help="skip plot.png")


def run(args: argparse.Namespace) -> int:
    import time

    from connext.core.config import ConfigError
    from connext.sim.scenario import load_scenario
    from connext.sim.scenario_output import write_outputs
    from connext.sim.scenario_run import run_scenario

    started = time.perf_counter()
    try:
        scenario = load_scenario(args.file)
    except ConfigError as err:
        print_problems(args.file, err.problems)
        return EXIT_CONFIG
    result = run_scenario(scenario)
    paths = write_outputs(result, args.out, plot=not args.no_plot)
    elapsed = time.perf_counter() - started
    print(json.dumps(result.kpis, indent=2))
    print(f"{result.steps} steps in {elapsed:.2f} s; wrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0
