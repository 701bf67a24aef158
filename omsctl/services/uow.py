"""The unit of work: one transaction per command, rolled back unless the service commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from omsctl.domain.errors import DatabaseProblem


class UnitOfWork:
    """`with env.uow() as uow: ...; uow.commit()` — anything not committed is undone.

    Writers start with BEGIN IMMEDIATE (see store.db), readers with a plain deferred BEGIN
    so a report never blocks an import.
    """

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine.execution_options(omsctl_begin="IMMEDIATE" if write else "DEFERRED")
        self._write = write
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self._engine, expire_on_commit=False, autoflush=True)
        return self

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # A reader's objects stay readable after the block: close() ends the transaction
            # without expiring them, where rollback() would.
            if self._write and not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
            raise DatabaseProblem(
                "the database stayed locked by another omsctl process for too long",
                hint="try again when the other command has finished",
            ) from exc
