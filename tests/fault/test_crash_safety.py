"""SIGKILL in the middle of an import, a wave creation and a label run loses and doubles nothing.

Each trial starts the real command on a fresh copy of a prepared database, waits until the
process is inside its write transaction (it holds SQLite's write lock, asked from outside
with a BEGIN IMMEDIATE that may not wait), lets it run for a random part of the time the
write takes, and kills it with SIGKILL: no handler, no cleanup, as when the power goes.

After each kill the database must pass `db check` and hold either none or all of what the
command writes (every order of the import, every order of the waves, every label of the
run), and running the command again must finish the job with nothing doubled.

A deliberately broken control commits in two halves and is killed between them; the same
judgement must call it partial, or the trials above would prove nothing.

Sizes: OMSCTL_TEST_CRASH_LINES (import, default 30,000 lines; the issue's 100,000 works),
OMSCTL_TEST_CRASH_ORDERS (waves and labels, default 1,500), OMSCTL_TEST_CRASH_TRIALS
(kills per command, default 8), OMSCTL_TEST_CRASH_SEED.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]  # real processes on one file

LINES = int(os.environ.get("OMSCTL_TEST_CRASH_LINES", "30000"))
ORDERS = int(os.environ.get("OMSCTL_TEST_CRASH_ORDERS", "1500"))
TRIALS = int(os.environ.get("OMSCTL_TEST_CRASH_TRIALS", "8"))
SEED = int(os.environ.get("OMSCTL_TEST_CRASH_SEED", "20261122"))  # kill points; pass one to vary

#: What a state looks like for the judgement: the counts a command writes all or none of.
Counts = dict[str, int]


@dataclass
class Tally:
    """What the kills found, for the figures in the test's output."""

    name: str
    kills: list[float] = field(default_factory=list)  # seconds into the write
    grown: int = 0  # kills that found the -wal already holding pages of the write
    outcomes: Counter[str] = field(default_factory=Counter)

    def report(self) -> str:
        spread = f"{min(self.kills):.2f}-{max(self.kills):.2f} s" if self.kills else "-"
        return (
            f"crash {self.name}: {len(self.kills)} kills at {spread} into the write "
            f"({self.grown} with pages in the -wal), "
            f"outcomes {dict(self.outcomes)}, seed {SEED}"
        )


def kill_while_writing(
    fault,
    db: Path,
    command: list[str],
    delay: float,
    *,
    wait_for_line: str | None = None,
    when_wal_grows: bool = False,
) -> tuple[float, int]:
    """Start `command`, wait until it writes (or prints `wait_for_line`), kill it after
    `delay` seconds, or, `when_wal_grows`, the moment its pages start reaching the -wal
    (SQLite keeps a transaction in its page cache until it spills or commits, so this is
    a kill in the middle of writing the commit). Returns how long after the handshake the
    kill landed and the size of the -wal at that moment."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        if wait_for_line is None:
            seen = fault.wait_until_writing(db, process)
        else:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == wait_for_line
            seen = time.monotonic()
        wal = Path(f"{db}-wal")
        if when_wal_grows:
            deadline = seen + delay
            while process.poll() is None and time.monotonic() < deadline:
                if wal.exists() and wal.stat().st_size > 0:
                    break
        else:
            time.sleep(delay)
        size = wal.stat().st_size if wal.exists() else 0
        process.send_signal(signal.SIGKILL)
        landed = time.monotonic() - seen
    finally:
        process.wait(timeout=60)
    return landed, size


def write_time(fault, db: Path, command: list[str]) -> float:
    """How long the command holds the write lock when left alone (the calibration run).

    Random kills land within 1.1 times this; the kills at the commit wait up to twice it."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = fault.wait_until_writing(db, process)
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return time.monotonic() - seen


def judge(counts: Counts, complete: Counts) -> str:
    """'none' or 'all' of what the command writes; anything else is a partial write."""
    if all(counts[k] == 0 for k in complete):
        return "none"
    if counts == complete:
        return "all"
    return "partial"


def run_trials(
    fault,
    tally: Tally,
    rnd: random.Random,
    template: Path,
    folder: Path,
    command: Callable[[Path], list[str]],
    counts: Callable[[Path], Counts],
    complete: Counts,
    rerun: Callable[[Path, str], None],
    seconds: float,
) -> None:
    for n in range(TRIALS):
        db = fault.fresh_copy(template, folder / f"trial-{n}" / "omsctl.db")
        # Even trials kill at a random moment: most inside the write, some after its commit,
        # when the process is printing or exiting, which must also leave a whole result.
        # Odd trials kill the moment the commit starts writing pages to the -wal.
        at_commit = n % 2 == 1
        delay = seconds * 2 + 1 if at_commit else rnd.uniform(0, seconds * 1.1)
        landed, wal = kill_while_writing(fault, db, command(db), delay, when_wal_grows=at_commit)
        tally.kills.append(landed)
        tally.grown += wal > 0
        assert fault.check(db) == [], f"trial {n}: killed {landed:.2f} s into the write"
        outcome = judge(counts(db), complete)
        tally.outcomes[f"{'at commit' if at_commit else 'random'}: {outcome}"] += 1
        assert outcome != "partial", (n, landed, counts(db))
        rerun(db, outcome)
        assert counts(db) == complete, f"trial {n}: the re-run did not finish the job"
        assert fault.check(db) == []


# --- import --------------------------------------------------------------------------------

#: The broken control: the same export as two imports, two transactions, one process.
HALVES = """
import sys
from omsctl.services.context import Env
from omsctl.services.importing import import_files
env = Env(db=sys.argv[1])
import_files(env, [sys.argv[2]])
print("first half committed", flush=True)
import time; time.sleep(600)  # the kill lands here: half committed, half not
import_files(env, [sys.argv[3]])
"""


def import_counts(fault, db: Path) -> Counts:
    return {
        "orders": fault.count(db, "SELECT count(*) FROM orders"),
        "lines": fault.count(db, "SELECT count(*) FROM order_lines"),
        "import_history": fault.count(
            db, "SELECT count(*) FROM order_history WHERE action = 'import'"
        ),
    }


def split_export(export: Path, first: Path, second: Path) -> None:
    """Two files of whole orders, cut where an order starts near the middle."""
    import csv

    with export.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cut = len(body) // 2
    while body[cut][0] == body[cut - 1][0]:
        cut += 1
    for path, part in ((first, body[:cut]), (second, body[cut:])):
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows([header, *part])


def test_a_killed_import_leaves_none_or_all_of_its_orders_and_a_rerun_completes(
    tmp_path: Path, fault
) -> None:
    rnd = random.Random(SEED)
    export = tmp_path / "orders_export.csv"
    fault.benchmark_export(export, LINES)
    template = tmp_path / "template" / "omsctl.db"
    template.parent.mkdir()
    (template.parent / "omsctl.toml").write_text("", encoding="utf-8")
    assert fault.run_omsctl(template, "--quiet", "init").returncode == 0

    def command(db: Path) -> list[str]:
        return fault.omsctl(db, "--quiet", "import", str(export))

    reference = fault.fresh_copy(template, tmp_path / "reference" / "omsctl.db")
    seconds = write_time(fault, reference, command(reference))
    complete = import_counts(fault, reference)
    assert complete["orders"] > 0 and complete["import_history"] == complete["orders"]

    def rerun(db: Path, _: str) -> None:
        done = fault.run_omsctl(db, "--quiet", "import", str(export))
        assert done.returncode == 0, done.stderr
        again = fault.run_omsctl(db, "--quiet", "import", str(export), "--json")
        assert again.returncode == 0 and '"new": 0' in again.stdout  # nothing doubles

    tally = Tally(f"import of {LINES:,} lines ({complete['orders']:,} orders)")
    run_trials(
        fault, tally, rnd, template, tmp_path, command,
        lambda db: import_counts(fault, db), complete, rerun, seconds,
    )  # fmt: skip

    # The control commits half the export, then the rest; killed in the second half, it
    # leaves a partial import, and the judgement above must say so.
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    split_export(export, first, second)
    script = tmp_path / "halves.py"
    script.write_text(HALVES, encoding="utf-8")
    db = fault.fresh_copy(template, tmp_path / "control" / "omsctl.db")
    kill_while_writing(
        fault,
        db,
        [sys.executable, str(script), str(db), str(first), str(second)],
        0.0,
        wait_for_line="first half committed",
    )
    control = judge(import_counts(fault, db), complete)
    print(f"\n{tally.report()}; broken control judged {control}")
    assert control == "partial"


# --- waves and labels ----------------------------------------------------------------------


def approved_shop(fault, folder: Path) -> Path:
    """A checkpointed database with ORDERS approved orders and a DHL pool for them."""
    from collections import Counter as Units

    db = folder / "omsctl.db"
    folder.mkdir(parents=True, exist_ok=True)
    export = fault.shopify_export(folder / "orders.csv", range(20_000, 20_000 + ORDERS), seed=7)
    fault.set_up_shop(db, folder, dict(Units(export.units)), waybills=ORDERS)
    assert fault.run_omsctl(db, "--quiet", "import", str(export.path)).returncode == 0
    assert fault.run_omsctl(db, "--quiet", "review").returncode == 0
    assert fault.count(db, "SELECT count(*) FROM orders WHERE state = 'approved'") == ORDERS
    fault.checkpointed(db)
    return db


def wave_counts(fault, db: Path) -> Counts:
    return {
        "waves": fault.count(db, "SELECT count(*) FROM waves"),
        "in_waves": fault.count(db, "SELECT count(*) FROM wave_orders WHERE removed_at IS NULL"),
        "picking": fault.count(db, "SELECT count(*) FROM orders WHERE state = 'picking'"),
        "wave_history": fault.count(db, "SELECT count(*) FROM order_history WHERE action = 'wave'"),
    }


#: The broken control: single-unit orders waved and committed, then the rest. (One
#: `wave create` makes one wave per warehouse and kind, so the limit is the order count.)
WAVES_IN_TWO = """
import sys
from omsctl.domain.waves import Limits, Strategy
from omsctl.services.context import Env
from omsctl.services.waving import create_waves
env = Env(db=sys.argv[1])
create_waves(env, strategy=Strategy.SINGLE, limits=Limits(int(sys.argv[2])))
print("first half committed", flush=True)
import time; time.sleep(600)  # the kill lands here: half committed, half not
create_waves(env, limits=Limits(int(sys.argv[2])))
"""


def test_a_killed_wave_creation_waves_none_or_all_and_a_rerun_completes(
    tmp_path: Path, fault
) -> None:
    rnd = random.Random(SEED + 1)
    template = approved_shop(fault, tmp_path / "template")

    def command(db: Path) -> list[str]:
        return fault.omsctl(db, "--quiet", "wave", "create", "--max-orders", str(ORDERS))

    reference = fault.fresh_copy(template, tmp_path / "reference" / "omsctl.db")
    seconds = write_time(fault, reference, command(reference))
    complete = wave_counts(fault, reference)
    assert complete["picking"] == complete["in_waves"] == ORDERS

    def rerun(db: Path, _: str) -> None:
        assert (
            fault.run_omsctl(
                db, "--quiet", "wave", "create", "--max-orders", str(ORDERS)
            ).returncode
            == 0
        )

    tally = Tally(f"wave create over {ORDERS:,} approved orders ({complete['waves']} waves)")
    run_trials(
        fault, tally, rnd, template, tmp_path, command,
        lambda db: wave_counts(fault, db), complete, rerun, seconds,
    )  # fmt: skip

    script = tmp_path / "waves_in_two.py"
    script.write_text(WAVES_IN_TWO, encoding="utf-8")
    db = fault.fresh_copy(template, tmp_path / "control" / "omsctl.db")
    kill_while_writing(
        fault, db, [sys.executable, str(script), str(db), str(ORDERS)],
        0.0, wait_for_line="first half committed",
    )  # fmt: skip
    control = judge(wave_counts(fault, db), complete)
    print(f"\n{tally.report()}; broken control judged {control}")
    assert control == "partial"


def label_counts(fault, db: Path) -> Counts:
    return {
        "prints": fault.count(db, "SELECT count(*) FROM label_prints WHERE NOT reprint"),
        "orders_printed": fault.count(db, "SELECT count(DISTINCT order_id) FROM label_prints"),
        "numbers_taken": fault.count(
            db, "SELECT count(*) FROM waybill_numbers WHERE order_id IS NOT NULL"
        ),
        "tracked": fault.count(
            db,
            "SELECT count(DISTINCT tracking_number) FROM shipments WHERE tracking_number IS NOT NULL",
        ),
    }


#: The broken control: the first half of the orders' labels, committed, then the rest.
LABELS_IN_TWO = """
import sqlite3, sys
from omsctl.services.context import Env
from omsctl.services.labelling import print_labels
env = Env(db=sys.argv[1])
with sqlite3.connect(sys.argv[1]) as conn:
    refs = [n for (n,) in conn.execute("SELECT channel_order_no FROM orders ORDER BY id")]
half = len(refs) // 2
print_labels(env, lambda labels: b"", refs=refs[:half], fmt="zpl")
print("first half committed", flush=True)
import time; time.sleep(600)  # the kill lands here: half committed, half not
print_labels(env, lambda labels: b"", refs=refs[half:], fmt="zpl")
"""


def test_a_killed_label_run_takes_none_or_all_numbers_and_a_rerun_prints_each_once(
    tmp_path: Path, fault
) -> None:
    rnd = random.Random(SEED + 2)
    template = approved_shop(fault, tmp_path / "template")
    assert (
        fault.run_omsctl(
            template, "--quiet", "wave", "create", "--max-orders", str(ORDERS)
        ).returncode
        == 0
    )
    fault.checkpointed(template)

    def command(db: Path, *extra: str) -> list[str]:
        out = db.parent / "labels.zpl"
        return fault.omsctl(db, "--quiet", "labels", "--status", "picking", "-f", "zpl",
                            "-o", str(out), *extra)  # fmt: skip

    reference = fault.fresh_copy(template, tmp_path / "reference" / "omsctl.db")
    seconds = write_time(fault, reference, command(reference))
    complete = label_counts(fault, reference)
    assert complete == {k: ORDERS for k in complete}
    labels_per_file = (reference.parent / "labels.zpl").read_text().count("^XA")
    assert labels_per_file == ORDERS

    def rerun(db: Path, outcome: str) -> None:
        out = db.parent / "labels.zpl"
        if outcome == "none":
            assert not out.exists()  # a killed run never leaves half a file under the name
        elif out.exists():
            assert out.read_text().count("^XA") == ORDERS  # the whole run, or no file at all
        # Killed after the commit but before the file was written, the labels are recorded
        # as printed: the re-run is a deliberate reprint, with the same numbers.
        extra = ("--reprint",) if outcome == "all" else ()
        done = subprocess.run(command(db, *extra), capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert out.read_text().count("^XA") == ORDERS
        assert (
            fault.count(db, "SELECT count(*) FROM waybill_numbers WHERE order_id IS NOT NULL")
            == ORDERS
        )
        if outcome == "all":
            assert fault.count(db, "SELECT count(*) FROM label_prints WHERE reprint") == ORDERS

    tally = Tally(f"labels for {ORDERS:,} picking orders")
    run_trials(
        fault, tally, rnd, template, tmp_path, command,
        lambda db: label_counts(fault, db), complete, rerun, seconds,
    )  # fmt: skip

    script = tmp_path / "labels_in_two.py"
    script.write_text(LABELS_IN_TWO, encoding="utf-8")
    db = fault.fresh_copy(template, tmp_path / "control" / "omsctl.db")
    kill_while_writing(
        fault, db, [sys.executable, str(script), str(db)], 0.0,
        wait_for_line="first half committed",
    )  # fmt: skip
    control = judge(label_counts(fault, db), complete)
    print(f"\n{tally.report()}; broken control judged {control}")
    assert control == "partial"
