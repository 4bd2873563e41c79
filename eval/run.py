"""The behaviour evaluation: ``python eval/run.py [--runs N] [--first S] [--dev]`` prints it.

Reporting seeds are S..S+N-1 (S is 0 unless given; a fresh reporting run after a change of the
method takes seeds never run before); ``--dev`` uses seeds from 10,000 (the ones thresholds
were tuned on), so the reported figures never come from the seeds the method was tuned on.
``--only shift|wide`` runs one scenario (the other's figures are then absent, not zero).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.harness import (  # noqa: E402
    TARGET_ATTRIBUTE_10X,
    TARGET_DETECT_10X,
    TARGET_FALSE_ALARMS,
    TARGET_FLEET_NO_BLAME,
    Tally,
    false_alarm_rate,
    merge,
    rows,
    run_fleet,
    run_fleet_wide,
)
from scanner.behavior.settings import DEFAULT, Settings  # noqa: E402

DEV_OFFSET = 10_000


def _one(job: tuple[int, Settings, Path | None, str]) -> Tally:
    """One seed: a fleet with injected shifts and/or a fleet-wide control."""
    seed, settings, cache, only = job
    tally = Tally()
    if only != "wide":
        run_fleet(seed, tally, settings, cache=cache)
    if only != "shift":
        run_fleet_wide(seed, tally, settings, cache=cache)
    return tally


def main() -> None:
    """Run the fleets and print the table and the pass marks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100, help="fleets per scenario")
    parser.add_argument("--first", type=int, default=0, help="first reporting seed")
    parser.add_argument("--dev", action="store_true", help="use the tuning seeds")
    parser.add_argument(
        "--only", choices=("shift", "wide", "both"), default="both",
        help="run only the fleets with injected shifts, or only the fleet-wide controls",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--cache", type=Path, help="keep imported fleets here and reuse them (tuning)"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="with --dev: try another value of a scanner.behavior.settings threshold",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.dev and not 0 <= args.first <= DEV_OFFSET - args.runs:
        parser.error(f"reporting seeds must stay below the dev seeds ({DEV_OFFSET:,})")
    offset = DEV_OFFSET if args.dev else args.first
    if args.set and not args.dev:
        parser.error("--set is for tuning on the --dev seeds only")
    settings = DEFAULT
    for item in args.set:
        name, _, value = item.partition("=")
        settings = replace(settings, **{name: type(getattr(DEFAULT, name))(value)})
    started = time.perf_counter()
    jobs = [(offset + i, settings, args.cache, args.only) for i in range(args.runs)]
    with multiprocessing.Pool(args.jobs) as pool:
        tallies = []
        for done, t in enumerate(pool.imap_unordered(_one, jobs), start=1):
            tallies.append(t)
            print(f"\rseeds: {done}/{args.runs}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    tally = merge(tallies)
    print(
        f"{'shift':<10} {'runs':>5} {'detected<=24h':>14} {'attributed':>11} {'median delay':>13}"
    )
    table = rows(tally)
    for label, n, detected, attributed, median in table:
        delay = f"{median:g} h" if median is not None else "-"
        print(f"{label:<10} {n:>5} {detected:>14.1%} {attributed:>11.1%} {delay:>13}")
    fa = false_alarm_rate(tally)
    no_blame = 1 - tally.fleet_blamed / tally.fleet_runs if tally.fleet_runs else 0.0
    print(
        f"false alarms: {tally.false_alarms} over {tally.attribution_days:,.0f} agent-days judged"
        f" + {tally.alarm_days:,.0f} monitored = {fa:.2f} per 1,000 agent-days"
    )
    print(f"seeds {offset}-{offset + args.runs - 1} ({args.only})")
    if tally.fleet_runs:
        print(f"fleet-wide x3 with no change: no agent blamed in {no_blame:.1%} of "
              f"{tally.fleet_runs} runs")  # fmt: skip
    ten = next((r for r in table if r[0] == "x10"), None)
    checks = [
        ("x10 detected within 24 h", ten is not None and ten[2] >= TARGET_DETECT_10X),
        ("x10 attributed top-1", ten is not None and ten[3] >= TARGET_ATTRIBUTE_10X),
        ("false alarms per 1,000 agent-days", fa <= TARGET_FALSE_ALARMS),
        ("fleet-wide shift blames no one", no_blame >= TARGET_FLEET_NO_BLAME),
    ]
    # A scenario not run has no figure: its checks are said to be skipped, never passed.
    ran = {"shift": args.only != "wide", "wide": args.only != "shift"}
    for k, (name, ok) in enumerate(checks):
        if not ran["wide" if k == 3 else "shift"]:
            print(f"SKIP  {name} (--only {args.only})")
            continue
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    print(f"{tally.events:,} events imported; {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
