"""Hostile channel files: never a traceback, always a clear answer, nothing half-written."""

from __future__ import annotations

import csv
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oms_testing import SAMPLES
from sqlalchemy import func, select

from omsctl.store.tables import Order

SHOPIFY_HEADER = ",".join(
    next(csv.reader((SAMPLES / "shopify" / "orders_export.csv").open(encoding="utf-8-sig")))
)
ROW = (SAMPLES / "shopify" / "orders_export.csv").read_text(encoding="utf-8").splitlines()[1]
_files = itertools.count()

pieces = st.one_of(
    st.binary(max_size=400),
    st.just(b"\x00\x00\x01binary"),
    st.just("Jürgen Weiß".encode()[:-1]),  # UTF-8 cut in the middle of a character
    st.just("订单编号,收货地址\n1,浙江省\n".encode("gbk")),
    st.just(("x" * 2_000_000).encode()),  # a field over the 1 MiB limit
    st.just(",".join(f"c{n}" for n in range(3000)).encode()),  # thousands of columns
    st.just(b"a,b\r\nc,d\re,f\n"),  # mixed line endings
    st.just(b'=HYPERLINK("http://x"),+1,@SUM(A1),-2\n'),  # formula cells
    st.just(ROW.encode()),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
files = st.tuples(st.booleans(), st.lists(pieces, min_size=1, max_size=4))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=files)
def test_any_malformed_file_gets_a_clear_answer_and_never_a_traceback(oms, env, tmp_path, spec):
    with_header, parts = spec
    body = b"\n".join(parts)
    content = (SHOPIFY_HEADER.encode() + b"\n" + body) if with_header else body
    path = tmp_path / f"hostile-{next(_files)}.csv"
    path.write_bytes(content)
    with env.uow(write=False) as uow:
        before = uow.session.scalar(select(func.count()).select_from(Order))
    run = oms("import", str(path))
    assert run.exit_code in (0, 1, 3), run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    with env.uow(write=False) as uow:
        after = uow.session.scalar(select(func.count()).select_from(Order))
    if run.exit_code == 1:
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
        assert after == before  # a refused file changes nothing
    else:
        assert all(
            line.startswith(("rejected: ", "error: ")) or not line
            for line in run.stderr.splitlines()
            if "rejected" in line or "error" in line
        )
