"""Tables of users, sessions, API tokens, access grants, login attempts and the audit log
(issue #8), on the shared metadata; created by migration ``0006_auth``.

Secrets are never stored: passwords as argon2 hashes, session and API tokens as their
SHA-256 (the tokens themselves are 256-bit random strings).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kekiz.storage.schema import metadata

__all__ = ["access_grants", "api_tokens", "audit_log", "login_attempts", "sessions", "users"]

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("tenant_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(200), nullable=False, default=""),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=True),
    Column("last_used", DateTime(timezone=True), nullable=True),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_user", "user_id"),
)

access_grants = Table(
    "access_grants", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("grantor_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("grantee_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False, default=""),
    UniqueConstraint("grantor_id", "grantee_id", name="uq_access_grants_pair"),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempts_key", "name", "ip", "at"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object", Text, nullable=False, default=""),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Index("ix_audit_log_at", "at"),
)
