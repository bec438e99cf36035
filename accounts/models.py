"""Users, their roles, and the depots a clerk is responsible for."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, DateTime, String, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)
from core.timeutil import utcnow


class Role(StrEnum):
    """What a user may do; a clerk only at the depots assigned to them."""

    CLERK = "clerk"
    DISPATCHER = "dispatcher"
    VIEWER = "viewer"
    ADMIN = "admin"


class User(UserMixin, SQLModel, table=True):
    """A person who logs in."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("role IN ('clerk', 'dispatcher', 'viewer', 'admin')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=64)
    role: str = Field(sa_column=Column(String(16), nullable=False))
    password_hash: str = Field(max_length=200)
    active: bool = True
    locale: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # repeated wrong passwords lock the account for a while
    failed_logins: int = 0
    locked_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    password_changed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class UserFacility(SQLModel, table=True):
    """A depot a clerk records movements for."""

    __tablename__ = "user_facility"
    __table_args__ = (UniqueConstraint("user_id", "facility_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)


class ApiToken(SQLModel, table=True):
    """A bearer token for integrations; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    # the first characters of the token, so a user can tell tokens apart
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
