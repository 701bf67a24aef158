"""money keeps the scale it was given on PostgreSQL (NUMERIC, not NUMERIC(18, 4))

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 00:40:00

SQLite stores money as decimal text and needs no change. On PostgreSQL, NUMERIC(18, 4) padded
every amount to four places (27.50 read back as 27.5000), so the same order printed other text
there than in the SQLite file it was copied from. Amounts already stored keep the four places
they were padded to: the value is equal and the written text cannot be recovered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_AND_MEASURES = {
    'orders': ('subtotal', 'shipping_total', 'tax_total', 'discount_total', 'total',
               'refunded_total'),
    'products': ('weight_kg', 'length_cm', 'width_cm', 'height_cm'),
    'order_lines': ('unit_price', 'weight_kg'),
    'logistics_exceptions': ('amount',),
}


def _retype(new: sa.types.TypeEngine, old: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, columns in MONEY_AND_MEASURES.items():
        for column in columns:
            op.alter_column(table, column, type_=new, existing_type=old)


def upgrade() -> None:
    _retype(sa.Numeric(), sa.Numeric(18, 4))


def downgrade() -> None:
    _retype(sa.Numeric(18, 4), sa.Numeric())
