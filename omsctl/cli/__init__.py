"""Typer commands: parse options, call one service, render its result. No SQL, no rules."""
