"""Benchmark: pure wave planning for 100k approved orders, against just ranking them.

    python benchmarks/waves.py                     # 100,000 candidates
    python benchmarks/waves.py --orders 10000      # a quicker look

No database: the candidates are built in memory as the waving service would read them
(3 warehouses, 4 carriers, a mix of standard and express service levels in several
languages, 1-6 units, 0.1-8 kg, one zone or several). Then it times, best of `--repeat`:

- baseline: `sorted(candidates, key=priority_key)`, the least any planner must do;
- `plan_waves` under every strategy, with the default limits (200 orders per wave);
- `plan_waves` under `mixed` with no limits, so every order is placed in a wave;
- `plan_waves` under `mixed` with a cut-off and unit and weight limits as well.

It prints orders/s, seconds, waves made and orders left for later per run, and how many
times the baseline's time each run takes: the cost of planning on top of ranking.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from omsctl.domain.waves import Candidate, Limits, Strategy, WavePlan, plan_waves, priority_key

WAREHOUSES = ("HGH", "SZX", "BER")
CARRIERS = ("SF", "ZTO", "DHL", "")
SERVICES = ("Standard",) * 6 + ("Express", "次日达", "Expedited", "快递", "Standard Shipping")
UNITS = (1, 1, 1, 1, 2, 2, 3, 4, 6)
ZONES = ("A", "B", "C", "D", "E", "F")
START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    orders: int
    waves: int
    left: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else float("inf")


def make_candidates(rng: random.Random, count: int) -> list[Candidate]:
    """A day's approved orders; ids shuffled so the input is not already in priority order."""
    ids = list(range(1, count + 1))
    rng.shuffle(ids)
    candidates = []
    for n in ids:
        ordered = START + timedelta(seconds=rng.randint(0, 86_400))
        paid = None if rng.random() < 0.02 else ordered + timedelta(seconds=rng.randint(5, 900))
        zones = frozenset(rng.sample(ZONES, 1 if rng.random() < 0.7 else rng.randint(2, 3)))
        candidates.append(
            Candidate(
                order_id=n,
                ref=f"#{100_000 + n}",
                warehouse=rng.choice(WAREHOUSES),
                carrier=rng.choice(CARRIERS),
                service_level=rng.choice(SERVICES),
                paid_at=paid,
                ordered_at=ordered,
                units=rng.choice(UNITS),
                weight_kg=Decimal(rng.randint(100, 8_000)) / 1000,
                zones=zones,
            )
        )
    return candidates


def best_of(repeat: int, run: Callable[[], tuple[int, int]]) -> tuple[float, int, int]:
    best = float("inf")
    waves = left = 0
    for _ in range(repeat):
        start = time.perf_counter()
        waves, left = run()
        best = min(best, time.perf_counter() - start)
    return best, waves, left


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="approved orders")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the best counts")
    parser.add_argument("--seed", type=int, default=20261120)
    args = parser.parse_args(argv)

    candidates = make_candidates(random.Random(args.seed), args.orders)
    cutoff = START + timedelta(hours=20)
    tight = Limits(max_orders=200, max_units=400, max_weight_kg=Decimal("250"))

    def baseline() -> tuple[int, int]:
        sorted(candidates, key=priority_key)
        return 0, 0

    runs: list[tuple[str, Callable[[], tuple[int, int]]]] = [
        ("baseline: sort by priority", baseline)
    ]
    runs += [(f"plan_waves {s.value}", _planner(candidates, s)) for s in Strategy]
    unlimited = Limits(max_orders=None)
    runs.append(
        (
            "plan_waves mixed, no limits",
            lambda: _counts(plan_waves(candidates, limits=unlimited)),
        )
    )
    runs.append(
        (
            "plan_waves mixed + cut-off, units, kg",
            lambda: _counts(plan_waves(candidates, limits=tight, cutoff=cutoff)),
        )
    )

    timings = []
    for name, run in runs:
        seconds, waves, left = best_of(args.repeat, run)
        timings.append(Timing(name, len(candidates), waves, left, seconds))

    base = timings[0].seconds
    print(f"{len(candidates):,} candidates, best of {args.repeat}\n")
    print(f"{'run':<40} {'waves':>6} {'left':>7} {'seconds':>8} {'orders/s':>11} {'x base':>7}")
    for t in timings:
        print(
            f"{t.name:<40} {t.waves:>6,} {t.left:>7,} {t.seconds:>8.3f} "
            f"{t.per_second:>11,.0f} {t.seconds / base:>7.1f}"
        )


def _planner(candidates: Sequence[Candidate], strategy: Strategy) -> Callable[[], tuple[int, int]]:
    return lambda: _counts(plan_waves(candidates, strategy=strategy))


def _counts(plan: WavePlan) -> tuple[int, int]:
    return len(plan.waves), len(plan.left_for_later)


if __name__ == "__main__":
    main()
