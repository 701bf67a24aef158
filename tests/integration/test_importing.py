"""Importing against a real database: idempotent, exact, and nothing half-written."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oms_testing import SAMPLES, stock_up
from sqlalchemy import func, select, text

from omsctl.domain.errors import InputProblem
from omsctl.services import order_actions
from omsctl.services.importing import import_files
from omsctl.store.tables import Hold, Order, OrderHistory, OrderLine

SHOPIFY = SAMPLES / "shopify" / "orders_export.csv"
HEADER = next(csv.reader(SHOPIFY.open(encoding="utf-8-sig")))


def shopify_file(path: Path, orders: list[dict[str, str]]) -> Path:
    """A Shopify export with the real 79-column header and the given rows."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, HEADER, restval="")
        writer.writeheader()
        writer.writerows(orders)
    return path


def row(name: str, sku: str = "TEA-LJ-100", qty: str = "1", **extra: str) -> dict[str, str]:
    base = {
        "Name": name,
        "Email": "ana@example.com",
        "Financial Status": "pending",
        "Currency": "EUR",
        "Subtotal": "18.50",
        "Shipping": "0.00",
        "Taxes": "0.00",
        "Total": "18.50",
        "Created at": "2026-11-19 08:00:00 +0100",
        "Lineitem quantity": qty,
        "Lineitem name": "Longjing 100 g",
        "Lineitem price": "18.50",
        "Lineitem sku": sku,
        "Shipping Name": "Ana Souza",
        "Shipping Address1": "Rua Augusta 10",
        "Shipping City": "Lisboa",
        "Shipping Zip": "1100-053",
        "Shipping Country": "PT",
    }
    return {**base, **extra}


def snapshot(env) -> dict[str, list[tuple]]:
    with env.engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in ("orders", "order_lines", "holds")
        }


def count(env, model) -> int:
    with env.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_reimporting_the_same_export_changes_nothing(env):
    first = import_files(env, [str(SHOPIFY)])
    before = snapshot(env)
    history = count(env, OrderHistory)
    again = import_files(env, [str(SHOPIFY)])
    assert first.sources[0].new == again.sources[0].unchanged == 10
    assert (again.sources[0].new, again.sources[0].updated) == (0, 0)
    assert snapshot(env) == before
    assert count(env, OrderHistory) == history


def test_a_dry_run_reports_but_writes_nothing(env):
    report = import_files(env, [str(SHOPIFY)], dry_run=True)
    assert report.sources[0].new == 10
    assert count(env, Order) == 0


def test_a_newer_export_applies_payment_and_records_it_in_history(env, tmp_path):
    import_files(env, [str(shopify_file(tmp_path / "a.csv", [row("#2001")]))])
    paid = row("#2001", **{"Financial Status": "paid", "Paid at": "2026-11-19 09:30:00 +0100"})
    report = import_files(env, [str(shopify_file(tmp_path / "b.csv", [paid]))])
    assert report.sources[0].updated == 1
    with env.uow(write=False) as uow:
        order = uow.session.scalars(select(Order)).one()
        assert (order.payment_status, order.paid_at.isoformat()) == (
            "paid",
            "2026-11-19T08:30:00+00:00",
        )
        notes = uow.session.scalars(
            select(OrderHistory.detail).where(OrderHistory.action == "channel_update")
        ).all()
    assert notes == ["payment_status: pending → paid; paid_at: ∅ → 2026-11-19T08:30:00+00:00"]


def test_a_change_of_lines_after_approval_holds_the_order_and_keeps_our_lines(env, tmp_path):
    stock_up(env, tmp_path, {"TEA-LJ-100": 5}, country="PT")
    import_files(env, [str(shopify_file(tmp_path / "a.csv", [row("#2002")]))])
    order_actions.approve(env, ["#2002"])
    changed = row("#2002", qty="3")
    report = import_files(env, [str(shopify_file(tmp_path / "b.csv", [changed]))])
    assert (report.sources[0].updated, report.sources[0].held) == (1, 1)
    with env.uow(write=False) as uow:
        order = uow.session.scalars(select(Order)).one()
        quantity = uow.session.scalar(select(OrderLine.quantity))
        hold = uow.session.scalars(select(Hold)).one()
    assert order.state == "on_hold" and quantity == 1
    assert (hold.reason, hold.detail) == (
        "changed_on_channel",
        "lines: TEA-LJ-100×1 → TEA-LJ-100×3",
    )
    again = import_files(env, [str(shopify_file(tmp_path / "b.csv", [changed]))])
    assert again.sources[0].unchanged == 1 and count(env, Hold) == 1


def test_a_cancellation_on_the_channel_cancels_an_order_that_has_not_shipped(env, tmp_path):
    import_files(env, [str(shopify_file(tmp_path / "a.csv", [row("#2003")]))])
    cancelled = row("#2003", **{"Cancelled at": "2026-11-19 10:00:00 +0100"})
    report = import_files(env, [str(shopify_file(tmp_path / "b.csv", [cancelled]))])
    assert report.sources[0].cancelled == 1
    with env.uow(write=False) as uow:
        assert uow.session.scalars(select(Order.state)).one() == "cancelled"


def test_a_bad_row_rejects_its_whole_order_and_the_rest_is_imported(env, tmp_path):
    rows = [row("#3001", sku="TEA-LJ-100"), row("#3001", sku="CUP-CEL-02", qty="two"), row("#3002")]
    path = shopify_file(tmp_path / "x.csv", rows)
    report = import_files(env, [str(path)], rejects_to=tmp_path / "rejects.csv")
    assert [str(r) for r in report.rejects] == [
        f"{path}:3: Lineitem quantity: 'two' is not a quantity"
    ]
    assert (report.sources[0].new, report.sources[0].rejected) == (1, 1)
    with env.uow(write=False) as uow:
        assert uow.session.scalars(select(Order.channel_order_no)).all() == ["#3002"]
    written = list(csv.DictReader((tmp_path / "rejects.csv").open(encoding="utf-8-sig")))
    assert [(r["Name"], r["Lineitem sku"]) for r in written] == [
        ("#3001", "TEA-LJ-100"),
        ("#3001", "CUP-CEL-02"),
    ]
    fixed = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").replace(",two,", ",2,")
    (tmp_path / "fixed.csv").write_text(fixed, encoding="utf-8")
    again = import_files(env, [str(tmp_path / "fixed.csv")])
    assert (again.sources[0].new, again.rejects) == (1, [])
    with env.uow(write=False) as uow:
        assert uow.session.scalar(select(func.sum(OrderLine.quantity))) == 1 + 1 + 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "holds NUL bytes"),
        (b"order;sku;qty\n1;A;1\n", "the header matches no known export"),
        (
            b"Name,Name,Lineitem quantity,Lineitem sku,Created at\n",
            "names column 'Name' twice",
        ),
        ("订单编号,收货地址\n1,浙江省\n".encode("gbk"), "not UTF-8 text"),
    ],
    ids=["empty", "binary", "wrong-format", "duplicate-header", "gbk"],
)
def test_hostile_files_are_refused_whole_and_change_nothing(env, tmp_path, content, message):
    import_files(env, [str(SHOPIFY)])
    before = snapshot(env)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(InputProblem, match=message):
        import_files(env, [str(SHOPIFY), str(bad)])
    assert snapshot(env) == before


def test_a_file_cut_in_the_middle_of_a_character_rolls_everything_back(env, tmp_path):
    rows = [
        row(f"#{4000 + n}", **{"Shipping Name": "Jürgen Weiß " + "x" * 200}) for n in range(400)
    ]
    path = shopify_file(tmp_path / "big.csv", rows)
    data = path.read_bytes()
    cut = data.rindex("ü".encode()) + 1  # half of a two-byte character, past the head
    path.write_bytes(data[:cut])
    with pytest.raises(InputProblem, match="bytes that are not utf-8"):
        import_files(env, [str(path)])
    assert count(env, Order) == 0


def test_a_ten_megabyte_field_is_refused_with_its_line(env, tmp_path):
    path = shopify_file(tmp_path / "huge.csv", [row("#5001", Notes="x" * 10_000_000)])
    with pytest.raises(InputProblem, match=r"huge.csv:2: field larger than field limit"):
        import_files(env, [str(path)])
    assert count(env, Order) == 0


def test_standard_input_is_read_like_a_file(env):
    report = import_files(env, ["-"], stdin=io.BytesIO(SHOPIFY.read_bytes()))
    assert report.sources[0].files == ["<stdin>"] and report.sources[0].new == 10


EXPORTS = st.lists(
    st.lists(
        st.tuples(
            st.integers(1, 6), st.sampled_from(["TEA-LJ-100", "0012-SET"]), st.integers(1, 3)
        ),
        min_size=1,
        max_size=5,
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(exports=EXPORTS, repeat=st.integers(1, 2))
def test_files_imported_twice_or_in_any_order_give_the_same_database(
    env, tmp_path_factory, exports, repeat
):
    """Disjoint exports (each order in one file) commute, and repeating one changes nothing."""
    folder = tmp_path_factory.mktemp("exports")
    paths = []
    for index, export in enumerate(exports):
        rows = [row(f"#{index}-{number}", sku=sku, qty=str(qty)) for number, sku, qty in export]
        rows.sort(key=lambda r: r["Name"])
        paths.append(str(shopify_file(folder / f"e{index}.csv", rows)))
    results = []
    for order in (paths, list(reversed(paths))):
        with env.engine.begin() as conn:
            for table in ("order_history", "holds", "order_lines", "orders"):
                conn.execute(text(f"DELETE FROM {table}"))
        for path in order:
            for _ in range(repeat):
                import_files(env, [path])
        with env.engine.connect() as conn:
            results.append(
                sorted(
                    tuple(r)
                    for r in conn.execute(
                        text(
                            "SELECT o.channel_order_no, o.fingerprint, l.sku, l.quantity FROM orders o"
                            " JOIN order_lines l ON l.order_id = o.id"
                        )
                    )
                )
            )
    assert results[0] == results[1]
    shutil.rmtree(folder)
