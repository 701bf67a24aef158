"""`omsctl db backup | copy` and a damaged file: about SQLite files, so SQLite runs only.

The backup goes through SQLite's online backup API and writes private files; the copy tests
copy a SQLite file into another file (the copy to PostgreSQL is test_postgres.py's); the
damaged-file test overwrites a page of the file. Like test_db_check.py, each test gets its
own copy of one day of work built once per module (`oms_day.build_day`/`day_copy`, with the
`day`/`db` fixtures defined here over them), and `sql`/`one` read files behind omsctl's back.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from oms_backends import dispose
from oms_day import build_day, day_copy, one, sql
from oms_testing import SAMPLES

from omsctl.services.context import Env
from omsctl.services.database import backup_database, check_database, copy_database
from omsctl.store.db import SCHEMA_REVISION
from omsctl.store.tables import metadata

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def day(tmp_path_factory, backend) -> str:
    """A database after a day's work: new, held, approved, cancelled, picking, shipped."""
    return build_day(backend, tmp_path_factory.mktemp("day"))


@pytest.fixture
def db(day, backend, isolated, monkeypatch):
    """This test's own copy of the day, the file OMSCTL_DB names."""
    copy = day_copy(backend, day, isolated.parent)
    monkeypatch.setenv("OMSCTL_DB", str(copy))
    yield copy
    dispose(str(copy))


# --- check of a damaged file ---------------------------------------------------------------


def test_a_damaged_file_fails_the_check(oms, db):
    # Overwrite a page in the middle of the file: SQLite's own check must notice.
    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    (page_size,) = one(db, "PRAGMA page_size")
    (pages,) = one(db, "PRAGMA page_count")
    with db.open("r+b") as fh:
        fh.seek(page_size * (pages // 2))
        fh.write(b"\xa5" * page_size)
    run = oms("db", "check")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: ")
    assert "Traceback" not in run.stdout + run.stderr


# --- backup --------------------------------------------------------------------------------


def test_a_backup_is_one_private_file_that_passes_the_check(oms, db, tmp_path):
    target = tmp_path / "backups" / "omsctl-2026-11-20.db"
    target.parent.mkdir()
    run = oms("db", "backup", str(target))
    assert run.exit_code == 0
    (orders,) = one(db, "SELECT count(*) FROM orders")
    assert run.stderr.startswith(
        f"backed up {db} to {target}: {orders} orders, schema {SCHEMA_REVISION}, "
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no -wal, no partial
    assert one(target, "PRAGMA journal_mode") == ("delete",)
    assert check_database(Env(db=str(target))).ok


def test_a_backup_never_overwrites_unless_told(oms, db, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"yesterday")
    run = oms("db", "backup", str(target))
    assert (run.exit_code, run.stderr) == (
        1, f"error: {target} exists already; pass --force to replace it\n")  # fmt: skip
    assert target.read_bytes() == b"yesterday"
    assert oms("db", "backup", str(target), "--force").exit_code == 0
    assert check_database(Env(db=str(target))).ok


def test_a_backup_of_no_database_or_into_itself_is_refused(oms, db, tmp_path):
    missing = tmp_path / "nothing.db"
    run = oms("--db", str(missing), "db", "backup", str(tmp_path / "x.db"))
    assert (run.exit_code, run.stderr) == (
        1, f"error: no database at {missing}; check --db or OMSCTL_DB\n")  # fmt: skip
    run = oms("db", "backup", str(db))
    assert (run.exit_code, run.stderr) == (
        2, "error: the backup cannot be the database itself; name another file\n")  # fmt: skip
    run = oms("--db", "mysql+pymysql://shop@db.example/oms", "db", "backup", "x.db")
    assert run.exit_code == 2
    assert run.stderr == (
        "error: db backup copies SQLite files and PostgreSQL databases, not"
        " mysql+pymysql://shop@db.example/oms; use the database's own backup tool\n"
    )


#: Imports a fresh copy of the Shopify sample (new order numbers each time), one transaction
#: per import, as fast as it can; says "writing" after its first commit.
WRITER = """
import csv, io, sys
from pathlib import Path
from omsctl.services.context import Env
from omsctl.services.importing import import_files
db, sample, folder, rounds = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
rows = list(csv.reader(io.StringIO(sample.read_text(encoding="utf-8-sig"))))
env = Env(db=db, actor="writer")
for n in range(rounds):
    export = folder / f"export-{n}.csv"
    with export.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(rows[0])
        out.writerows([[f"#W{n}-{row[0].lstrip('#')}", *row[1:]] for row in rows[1:]])
    report = import_files(env, [str(export)])
    assert report.rejects == [], report.rejects
    print("writing" if n == 0 else n, flush=True)
"""


def test_a_backup_taken_while_another_process_writes_restores_to_a_consistent_database(
    db, tmp_path
):
    sample = SAMPLES / "shopify" / "orders_export.csv"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    (before,) = one(db, "SELECT count(*) FROM orders")
    writer = subprocess.Popen(
        [sys.executable, str(script), str(db), str(sample), str(tmp_path), "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    backups = []
    env = Env(db=str(db))
    while writer.poll() is None or not backups:
        target = tmp_path / f"backup-{len(backups)}.db"
        backups.append(backup_database(env, target))
        time.sleep(0.05)
    _, err = writer.communicate()
    assert (writer.returncode, err) == (0, "")
    per_import = one(db, "SELECT count(*) FROM orders")[0] - before
    assert per_import % 40 == 0
    per_import //= 40
    seen = []
    for done in backups:
        restored = tmp_path / f"restored-{Path(done.target).stem}.db"
        backup_database(Env(db=done.target), restored)  # the documented restore
        report = check_database(Env(db=str(restored)))
        assert report.problems == ()
        assert (report.counts.orders - before) % per_import == 0  # whole imports only
        seen.append(report.counts.orders)
    assert seen == sorted(seen)
    assert len(backups) >= 3 and len(set(seen)) >= 2  # the backups did overlap the writes


# --- copy ----------------------------------------------------------------------------------


def rows_of(db: Path, table: str) -> list[tuple]:
    return sql(db, f"SELECT * FROM {table} ORDER BY 1")


def test_a_copy_into_a_new_file_holds_every_row_and_passes_the_check(oms, db, tmp_path):
    target = tmp_path / "copy" / "omsctl.db"
    run = oms("db", "copy", "--to", str(target), "--json")
    assert run.exit_code == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["ok"], result["problems"], result["revision"]) == (True, [], SCHEMA_REVISION)
    tables = {t["table"]: t["rows"] for t in result["tables"]}
    assert set(tables) == set(metadata.tables)
    for table in metadata.tables:
        assert rows_of(target, table) == rows_of(db, table), table
        assert tables[table] == len(rows_of(db, table))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert one(target, "SELECT version_num FROM alembic_version") == (SCHEMA_REVISION,)


def test_a_copy_keeps_links_to_orders_that_come_later(db, tmp_path):
    # A merged order points at its survivor, which may have a higher id.
    first, last = one(db, "SELECT min(id), max(id) FROM orders WHERE state = 'on_hold'")
    sql(db, f"UPDATE orders SET merged_into_id = {last} WHERE id = {first}",
        f"UPDATE orders SET parent_id = {first} WHERE id = {last}")  # fmt: skip
    target = tmp_path / "copy.db"
    copy_database(Env(db=str(db)), str(target), batch=7)
    assert one(target, f"SELECT merged_into_id FROM orders WHERE id = {first}") == (last,)
    assert one(target, f"SELECT parent_id FROM orders WHERE id = {last}") == (first,)
    assert rows_of(target, "orders") == rows_of(db, "orders")


def test_a_copy_into_a_database_that_holds_data_is_refused(oms, db, tmp_path):
    target = tmp_path / "other.db"
    backup_database(Env(db=str(db)), target)
    before = rows_of(target, "orders")
    run = oms("db", "copy", "--to", str(target))
    assert run.exit_code == 1
    assert run.stderr.startswith(f"error: {target} is not empty (")
    assert run.stderr.endswith(" rows); copy into a new, empty database\n")
    assert rows_of(target, "orders") == before
    assert oms("db", "copy", "--to", str(db)).stderr == (
        "error: the copy cannot go into the database it copies\n")  # fmt: skip


def test_a_failed_copy_leaves_an_empty_target_that_a_second_copy_fills(db, tmp_path, monkeypatch):
    from omsctl.services import database

    copy_table = database._copy_table

    def disk_full_at_shipments(src, out, table, batch, progress):  # type: ignore[no-untyped-def]
        if table.name == "shipments":
            raise OSError("disk full")
        return copy_table(src, out, table, batch, progress)

    target = tmp_path / "copy.db"
    monkeypatch.setattr(database, "_copy_table", disk_full_at_shipments)
    with pytest.raises(OSError, match="disk full"):
        copy_database(Env(db=str(db)), str(target))
    assert one(target, "SELECT count(*) FROM orders") == (0,)  # one transaction: all undone
    monkeypatch.setattr(database, "_copy_table", copy_table)
    assert copy_database(Env(db=str(db)), str(target)).check.ok
    assert rows_of(target, "orders") == rows_of(db, "orders")
