"""Commands end to end: exit codes, the exact one-line errors, then the database's state."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from oms_testing import add_order, stock_up


def test_a_missing_database_is_refused_with_a_hint_to_init(oms, isolated, backend):
    run = oms("orders", "list")
    missing = (
        f"no database at {isolated}"
        if backend.name == "sqlite"
        else f"{os.environ['OMSCTL_DB']} is not an omsctl database (or was never initialised)"
    )
    assert run.exit_code == 1
    assert run.stderr == f"error: {missing}; run `omsctl init` to create or upgrade it\n"


def test_an_unknown_order_is_one_line_and_exit_1(oms, env):
    run = oms("orders", "show", "#9999")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: no order '#9999'; give the channel's order number or the id from "
        "`omsctl orders list`\n"
    )


def test_a_bad_option_is_a_usage_error_with_exit_2(oms, env):
    run = oms("orders", "list", "--bogus")
    assert run.exit_code == 2
    assert run.stderr == "error: No such option: --bogus (see `omsctl orders list --help`)\n"


def test_an_illegal_transition_names_the_state_and_changes_nothing(oms, env):
    add_order(env, "#1001", state="shipped")
    run = oms("cancel", "#1001")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: #1001: order #1001 is shipped and cannot become cancelled; "
        "from shipped it can become: delivered, exception, returned\n"
    )
    shown = json.loads(oms("orders", "show", "#1001", "--json").stdout)
    assert shown["state"] == "shipped" and shown["history"] == []


def test_approve_hold_release_cancel_go_through_the_lifecycle_with_history(oms, env, tmp_path):
    stock_up(env, tmp_path, {"TEA-LJ-100": 10})
    add_order(env, "#1001")
    add_order(env, "#1002")
    assert (
        oms(
            "hold", "#1001", "--reason", "address_incomplete", "--note", "no house number"
        ).exit_code
        == 0
    )
    assert oms("hold", "#1001", "--reason", "buyer_note").exit_code == 0
    released = oms("release", "#1001", "--reason", "buyer_note")
    assert released.stdout == "#1001: on_hold → on_hold (still held: address_incomplete)\n"
    assert oms("release", "#1001").stdout == "#1001: on_hold → approved\n"
    assert oms("cancel", "#1002", "--note", "buyer asked").exit_code == 0

    first = json.loads(oms("orders", "show", "#1001", "--json").stdout)
    assert first["state"] == "approved"
    assert [(h["reason"], h["resolved_by"]) for h in first["holds"]] == [
        ("address_incomplete", "tester"),
        ("buyer_note", "tester"),
    ]
    assert [(e["action"], e["from_state"], e["to_state"]) for e in first["history"]] == [
        ("hold", "new", "on_hold"),
        ("hold", "on_hold", "on_hold"),
        ("release", "on_hold", "on_hold"),
        ("release", "on_hold", "approved"),
    ]
    assert first["history"][0]["actor"] == "tester"
    assert first["approved_at"].endswith("+00:00")


def test_a_batch_with_one_refused_order_commits_the_rest_and_exits_3(oms, env, tmp_path):
    stock_up(env, tmp_path, {"TEA-LJ-100": 10})
    add_order(env, "#1001")
    run = oms("approve", "#1001", "#404")
    assert run.exit_code == 3
    assert run.stdout == "#1001: new → approved\n"
    assert run.stderr.startswith("error: #404: no order '#404'")
    assert oms("orders", "list", "--status", "approved", "--ids").stdout == "1\n"


def test_show_json_has_lines_holds_shipments_history_with_stable_types(oms, env):
    add_order(env, "#1001", lines=(("TEA-LJ-100", 2, "12.50"), ("0012-SET", 1, "39.00")))
    shown = json.loads(oms("orders", "show", "#1001", "--json").stdout)
    assert shown["lines"] == [
        {
            "sku": "TEA-LJ-100",
            "title": "TEA-LJ-100",
            "quantity": 2,
            "unit_price": "12.50",
            "weight_kg": None,
        },
        {
            "sku": "0012-SET",
            "title": "0012-SET",
            "quantity": 1,
            "unit_price": "39.00",
            "weight_kg": None,
        },
    ]
    assert shown["total"] == "64.00"
    assert shown["ordered_at"] == "2026-11-19T08:30:00+00:00"
    assert shown["holds"] == shown["shipments"] == shown["history"] == []


def test_orders_list_filters_and_prints_csv_and_ids(oms, env):
    add_order(env, "#1001")
    add_order(env, "113-4417766-2201937", channel="amazon", state="approved")
    assert oms("orders", "list", "--channel", "amazon", "--ids").stdout == "2\n"
    csv_out = oms("orders", "list", "--csv", "--status", "new").stdout.splitlines()
    assert csv_out[0].startswith("id,channel,channel_order_no,state")
    assert csv_out[1].startswith("1,shopify,#1001,new,paid,2026-11-19T08:30:00+00:00")
    assert oms("orders", "list", "--json", "--csv").exit_code == 2


def test_an_order_number_in_two_channels_must_be_named_with_its_channel(oms, env):
    add_order(env, "1001", channel="woocommerce")
    add_order(env, "1001", channel="etsy")
    assert oms("orders", "show", "1001").stderr.startswith(
        "error: order '1001' exists in several channels"
    )
    assert json.loads(oms("orders", "show", "etsy:1001", "--json").stdout)["channel"] == "etsy"


def test_version_and_help_import_no_heavy_module():
    code = (
        "import sys; sys.argv=['omsctl','--version']\n"
        "from omsctl.cli.app import main\n"
        "try: main()\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('sqlalchemy','pandas','reportlab','alembic') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["omsctl 0.1.0", "[]"]


def test_every_command_has_help_with_an_example(oms):
    from typer.main import get_command

    from omsctl.cli.app import app

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command

    for path, command in walk(get_command(app), []):
        assert command.help, f"omsctl {' '.join(path)} has no help"
        assert "Example:" in command.help, f"omsctl {' '.join(path)} has no example"
        assert oms(*path, "--help").exit_code == 0


def test_help_paragraphs_fill_an_80_column_terminal_and_examples_keep_their_line(oms, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = [line.strip() for line in oms("db", "purge-personal", "--help").stdout.splitlines()]
    start = next(n for n, line in enumerate(lines) if line.startswith("Completed, cancelled"))
    # One paragraph wrapped by the terminal: every line but its last is filled, no stubs.
    assert lines[start : start + 3] == [
        "Completed, cancelled, returned and merged orders whose last history entry is",
        "older than DAYS; country, province, city and a postal-code prefix are kept",
        "(docs/operations.md).",
    ]
    assert lines[start + 3] == "Example: omsctl --quiet db purge-personal --older-than 730"


def test_no_help_text_loses_a_bracketed_word_to_rich_markup():
    # Rich reads "[review]" as a style tag and prints nothing; such text must be "\\[review]".
    import re

    from rich.text import Text
    from typer.main import get_command

    from omsctl.cli.app import app

    def texts(command, path):
        yield path, command.help or ""
        for param in getattr(command, "params", []):
            yield f"{path} {param.name}", getattr(param, "help", None) or ""
        for name, sub in getattr(command, "commands", {}).items():
            yield from texts(sub, f"{path} {name}")

    lost = []
    for where, text in texts(get_command(app), "omsctl"):
        words = re.findall(r"[\w.]+", re.sub(r"\[/?(bold|dim|italic)?\]", "", text))
        shown = Text.from_markup(text).plain
        lost += [(where, w) for w in set(words) if w not in shown]
    assert lost == []


def test_reflow_joins_lines_within_a_paragraph_only():
    from omsctl.cli.help_text import reflow

    text = """First line.

    A paragraph written
    on three lines
    Example: [bold]omsctl x[/]
    [bold]omsctl y[/]

    \b
    kept
    as is
    """
    assert reflow(text) == (
        "First line.\n\nA paragraph written on three lines\nExample: [bold]omsctl x[/]\n"
        "[bold]omsctl y[/]\n\n\b\nkept\nas is"
    )


def test_mask_hides_phone_and_street_in_what_leaves_the_shop(oms, env):
    add_order(env, "#7")
    from omsctl.services.order_edits import edit_order

    edit_order(env, "#7", {"phone": "+49 30 12345678"})
    shown = json.loads(oms("orders", "show", "#7", "--json", "--mask").stdout)
    assert (shown["ship_to"]["street1"], shown["ship_to"]["phone"]) == ("***", "+49 30 ****5678")
    assert shown["ship_to"]["postal_code"] == "10961"
