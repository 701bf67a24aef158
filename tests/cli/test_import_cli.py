from __future__ import annotations

import json

from oms_testing import SAMPLES

SHOPIFY = str(SAMPLES / "shopify" / "orders_export.csv")


def test_import_prints_a_summary_and_reimport_reports_everything_unchanged(oms, env):
    first = oms("import", SHOPIFY, "--json")
    assert first.exit_code == 0
    summary = json.loads(first.stdout)["sources"][0]
    assert (summary["channel"], summary["new"], summary["lines"]) == ("shopify", 10, 16)
    again = json.loads(oms("import", SHOPIFY, "--json").stdout)["sources"][0]
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 10)


def test_rejected_rows_are_reported_with_file_line_and_column_and_exit_3(oms, env, tmp_path):
    lines = (SAMPLES / "shopify" / "orders_export.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    bad = first.replace(",2,Longjing", ",-2,Longjing", 1)
    path = tmp_path / "orders.csv"
    path.write_text(f"{header}\n{bad}\n", encoding="utf-8")
    run = oms("import", str(path), "--rejects", str(tmp_path / "rejects.csv"))
    assert run.exit_code == 3
    assert run.stderr.splitlines()[0] == (
        f"rejected: {path}:2: Lineitem quantity: '-2' is not a whole number of units above 0"
    )
    assert "wrote the rejected orders' rows to" in run.stderr
    assert (tmp_path / "rejects.csv").exists()


def test_a_file_that_does_not_exist_is_one_line_and_exit_1(oms, env, tmp_path):
    run = oms("import", str(tmp_path / "nope.csv"))
    assert (run.exit_code, run.stderr) == (1, f"error: {tmp_path / 'nope.csv'}: no such file\n")


def test_an_unrecognised_header_lists_what_was_tried_and_how_to_map_it(oms, env, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("order;sku;qty\n1;A;1\n", encoding="utf-8")
    run = oms("import", str(path))
    assert run.exit_code == 1
    assert run.stderr == (
        f"error: {path}: the header matches no known export (tried shopify, woocommerce, amazon,"
        " ebay, etsy, taobao); pass --channel csv --mapping FILE.toml to map its columns"
        " (see docs/import-mapping.md)\n"
    )


def test_dry_run_says_so_and_leaves_the_database_empty(oms, env):
    run = oms("import", SHOPIFY, "--dry-run")
    assert run.exit_code == 0 and "dry run: nothing was written" in run.stderr
    assert oms("orders", "list", "--ids").stdout == ""
