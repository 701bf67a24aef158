"""The product master: what a SKU is, weighs and needs, and when to reorder it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from omsctl.channels.base import FieldProblem
from omsctl.channels.normalize import money, text
from omsctl.domain.errors import NotFound
from omsctl.services.context import Env
from omsctl.services.tables_in import Rejected, rows, whole
from omsctl.store.tables import Product

REQUIRED = ("sku", "title")
OPTIONAL = (
    "barcode",
    "weight_kg",
    "length_cm",
    "width_cm",
    "height_cm",
    "traits",
    "reorder_point",
    "safety_stock",
)
TRAITS = frozenset({"fragile", "liquid", "valuable", "perishable", "hazardous", "oversize"})


@dataclass
class ProductImport:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProductView:
    sku: str
    title: str
    barcode: str
    weight_kg: Decimal | None
    traits: str
    reorder_point: int
    safety_stock: int


def import_products(env: Env, path: Path) -> ProductImport:
    """Create or update products by SKU; a bad row is reported and the rest applied."""
    result = ProductImport(str(path))
    with env.uow() as uow:
        existing = {p.sku: p for p in uow.session.scalars(select(Product))}
        for row in rows(path, REQUIRED, OPTIONAL):
            try:
                values = _values(row.cells)
            except FieldProblem as problem:
                result.rejects.append(Rejected(str(path), row.line, problem.column, problem.reason))
                continue
            product = existing.get(values["sku"])
            if product is None:
                product = Product(**values)
                existing[product.sku] = product
                result.created += 1
            elif all(getattr(product, k) == v for k, v in values.items()):
                result.unchanged += 1
                continue
            else:
                for key, value in values.items():
                    setattr(product, key, value)
                result.updated += 1
            uow.session.add(product)
        uow.commit()
    return result


def _values(cells: dict[str, str]) -> dict[str, object]:
    sku = text(cells.get("sku"))
    if not sku:
        raise FieldProblem("sku", "a SKU is required")
    title = text(cells.get("title"))
    if not title:
        raise FieldProblem("title", "a title is required")
    traits = sorted(
        {t.strip().lower() for t in (cells.get("traits") or "").split(";") if t.strip()}
    )
    unknown = [t for t in traits if t not in TRAITS]
    if unknown:
        raise FieldProblem(
            "traits", f"unknown trait {unknown[0]!r} (known: {', '.join(sorted(TRAITS))})"
        )

    def size(column: str) -> Decimal | None:
        raw = text(cells.get(column))
        if not raw:
            return None
        value = money(raw, column)
        if value < 0:
            raise FieldProblem(column, f"{raw} is negative")
        return value

    return {
        "sku": sku,
        "title": title,
        "barcode": text(cells.get("barcode")),
        "weight_kg": size("weight_kg"),
        "length_cm": size("length_cm"),
        "width_cm": size("width_cm"),
        "height_cm": size("height_cm"),
        "traits": ";".join(traits),
        "reorder_point": whole(cells.get("reorder_point") or "0", "reorder_point"),
        "safety_stock": whole(cells.get("safety_stock") or "0", "safety_stock"),
    }


def list_products(env: Env) -> list[ProductView]:
    with env.uow(write=False) as uow:
        return [_view(p) for p in uow.session.scalars(select(Product).order_by(Product.sku))]


def show_product(env: Env, sku: str) -> ProductView:
    with env.uow(write=False) as uow:
        product = uow.session.scalars(select(Product).where(Product.sku == sku)).first()
        if product is None:
            raise NotFound(f"no product {sku!r}", hint="`omsctl products list` shows the SKUs")
        return _view(product)


def _view(p: Product) -> ProductView:
    return ProductView(
        p.sku, p.title, p.barcode, p.weight_kg, p.traits, p.reorder_point, p.safety_stock
    )
