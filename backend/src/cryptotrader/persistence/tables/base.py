"""The declarative base shared by every table, with stable constraint names for Alembic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cryptotrader.persistence.types import UtcDateTime

# Named constraints let migrations drop or alter them by name on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of the ORM tables; rows convert to and from ``cryptotrader.domain`` types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at_column() -> Mapped[datetime]:
    """When the row was written, set by the database."""
    return mapped_column(UtcDateTime(), server_default=func.now(), nullable=False)


def updated_at_column() -> Mapped[datetime]:
    """When the row last changed, set by the database."""
    return mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now(), nullable=False
    )
