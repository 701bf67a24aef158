"""Documents rendered from plain data: pick lists now, shipping labels and reports next.

Nothing here queries the database; a service gathers the data (``domain.picking.PickList``)
and hands it over. Import these modules inside the command that prints, not at the top of
a CLI module: ``omsctl --help`` must not pay for reportlab.
"""
