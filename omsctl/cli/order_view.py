"""How one order reads in a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from omsctl.cli import output

if TYPE_CHECKING:
    from omsctl.services.orders import OrderDetail


def print_order(o: OrderDetail) -> None:
    console = output.console()
    console.print(
        f"[bold]{o.channel} {o.channel_order_no}[/]  (id {o.id})  "
        f"[bold]{o.state}[/], payment {o.payment_status}"
    )
    to = o.ship_to
    address = [
        to.name,
        to.company,
        to.street1,
        to.street2,
        to.district,
        " ".join(p for p in (to.postal_code, to.city) if p),
        to.province,
        to.country,
    ]
    console.print("ship to: " + ", ".join(p for p in address if p))
    if to.phone or o.buyer_phone:
        console.print(f"phone:   {to.phone or o.buyer_phone}")
    console.print(
        f"ordered: {o.ordered_at:%Y-%m-%d %H:%M} UTC"
        + (f", paid {o.paid_at:%Y-%m-%d %H:%M} UTC" if o.paid_at else ", not paid")
    )
    if o.service_level:
        console.print(f"service: {o.service_level}")
    if o.buyer_note:
        console.print(f"note:    {o.buyer_note}")
    lines = Table(box=None, header_style="bold", pad_edge=False)
    for header, justify in (
        ("sku", "left"),
        ("title", "left"),
        ("qty", "right"),
        ("unit price", "right"),
    ):
        lines.add_column(header, justify=justify)  # type: ignore[arg-type]
    for line in o.lines:
        lines.add_row(line.sku, line.title, str(line.quantity), str(line.unit_price))
    console.print(lines)
    console.print(
        f"total:   {o.total} {o.currency}"
        + (f" (refunded {o.refunded_total})" if o.refunded_total else "")
    )
    for hold in o.holds:
        status = (
            f"resolved by {hold.resolved_by}"
            if hold.resolved_at
            else f"due {hold.due_at:%Y-%m-%d %H:%M}"
        )
        console.print(f"hold:    {hold.reason} ({hold.detail}) {status}")
    for shipment in o.shipments:
        console.print(
            f"shipment: {shipment.carrier} {shipment.tracking_number or ''} {shipment.status}"
        )
    for entry in o.history:
        move = ""
        if entry.from_state != entry.to_state:
            move = f"{entry.from_state or ''} → {entry.to_state}".strip()
        console.print(
            f"  {entry.at:%Y-%m-%d %H:%M}  {entry.actor:<10} {entry.action:<15} "
            f"{move:<22} {entry.detail}".rstrip(),
            markup=False,
        )
