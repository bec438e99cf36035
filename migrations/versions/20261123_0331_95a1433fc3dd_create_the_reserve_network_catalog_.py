"""Create the reserve network, catalog, ledger and users

Revision ID: 95a1433fc3dd
Revises:
Create Date: 2026-11-23 03:31:45.139562
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "95a1433fc3dd"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column(
            "source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("code", name=op.f("uq_enterprise_code")),
    )
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "name_zh", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False
        ),
        sa.Column(
            "name_en", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False
        ),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column(
            "unit_zh", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        ),
        sa.Column(
            "unit_en", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False
        ),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("unit_kg", sa.Float(), nullable=False),
        sa.Column("criticality", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "category IN ('protection', 'testing', 'disinfection', 'drugs', 'equipment')",
            name=op.f("ck_item_category"),
        ),
        sa.CheckConstraint(
            "criticality BETWEEN 1 AND 5", name=op.f("ck_item_criticality_range")
        ),
        sa.CheckConstraint("pack_size >= 1", name=op.f("ck_item_pack_size_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("code", name=op.f("uq_item_code")),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_category"), ["category"], unique=False
        )

    op.create_table(
        "region",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "name_en", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False
        ),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column(
            "population_source",
            sqlmodel.sql.sqltypes.AutoString(length=200),
            nullable=False,
        ),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column(
            "source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.CheckConstraint(
            "level IN ('province', 'city', 'county', 'township')",
            name=op.f("ck_region_level"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["region.code"], name=op.f("fk_region_parent_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
    )
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_region_parent_code"), ["parent_code"], unique=False
        )

    op.create_table(
        "target_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "name_zh", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column(
            "name_en", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False
        ),
        sa.Column("physical_days", sa.Integer(), nullable=False),
        sa.Column("all_forms_days", sa.Integer(), nullable=False),
        sa.Column("long_days", sa.Integer(), nullable=False),
        sa.Column("season_start_month", sa.Integer(), nullable=True),
        sa.Column("season_end_month", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.CheckConstraint(
            "physical_days > 0 AND all_forms_days > 0 AND long_days > 0",
            name=op.f("ck_target_profile_days_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_profile")),
        sa.UniqueConstraint("code", name=op.f("uq_target_profile_code")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column(
            "display_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column(
            "password_hash",
            sqlmodel.sql.sqltypes.AutoString(length=200),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('clerk', 'dispatcher', 'viewer', 'admin')",
            name=op.f("ck_user_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "catalog_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_catalog_entry_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_entry")),
        sa.UniqueConstraint(
            "tier", "item_id", name=op.f("uq_catalog_entry_tier_item_id")
        ),
    )
    with op.batch_alter_table("catalog_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_entry_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_entry_tier"), ["tier"], unique=False
        )

    op.create_table(
        "facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.Column(
            "name_en", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False
        ),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False
        ),
        sa.Column(
            "operator", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False
        ),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("population_served", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column(
            "source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.CheckConstraint(
            "tier IN ('province', 'city', 'county', 'township')",
            name=op.f("ck_facility_tier"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["facility.id"], name=op.f("fk_facility_parent_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["region.code"],
            name=op.f("fk_facility_region_code_region"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility")),
        sa.UniqueConstraint("code", name=op.f("uq_facility_code")),
    )
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facility_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "lot_no", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_lot_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot")),
        sa.UniqueConstraint("item_id", "lot_no", name=op.f("uq_lot_item_id_lot_no")),
    )
    with op.batch_alter_table("lot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_item_id"), ["item_id"], unique=False)

    op.create_table(
        "capacity_reserve",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("units_per_day", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.CheckConstraint(
            "lead_time_days >= 0",
            name=op.f("ck_capacity_reserve_lead_time_nonnegative"),
        ),
        sa.CheckConstraint(
            "units_per_day >= 0",
            name=op.f("ck_capacity_reserve_units_per_day_nonnegative"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_capacity_reserve_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_capacity_reserve_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_capacity_reserve_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_reserve")),
        sa.UniqueConstraint(
            "facility_id",
            "item_id",
            "enterprise_id",
            name=op.f("uq_capacity_reserve_facility_id_item_id_enterprise_id"),
        ),
    )
    with op.batch_alter_table("capacity_reserve", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capacity_reserve_enterprise_id"),
            ["enterprise_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_capacity_reserve_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capacity_reserve_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column(
            "reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("counterpart_facility_id", sa.Integer(), nullable=True),
        sa.Column(
            "order_ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "idempotency_key",
            sqlmodel.sql.sqltypes.AutoString(length=80),
            nullable=True,
        ),
        sa.CheckConstraint(
            "form IN ('physical', 'agreement')", name=op.f("ck_movement_form")
        ),
        sa.CheckConstraint(
            "kind IN ('receipt', 'issue', 'transfer_out', 'transfer_in', 'adjustment', 'count', 'reversal')",
            name=op.f("ck_movement_kind"),
        ),
        sa.CheckConstraint(
            "balance_after >= 0", name=op.f("ck_movement_balance_after_nonnegative")
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_movement_quantity_nonzero")),
        sa.ForeignKeyConstraint(
            ["counterpart_facility_id"],
            ["facility.id"],
            name=op.f("fk_movement_counterpart_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_movement_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_movement_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lot.id"], name=op.f("fk_movement_lot_id_lot")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["movement.id"],
            name=op.f("fk_movement_reverses_id_movement"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_movement_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movement")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_movement_idempotency_key")
        ),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_movement_reverses_id")),
    )
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_movement_balance_key",
            ["facility_id", "item_id", "lot_id", "form"],
            unique=False,
        )
        batch_op.create_index(
            "ix_movement_facility_time", ["facility_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_movement_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_movement_lot_id"), ["lot_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_movement_order_ref"), ["order_ref"], unique=False
        )

    op.create_table(
        "usage_norm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("daily_usage", sa.Float(), nullable=False),
        sa.Column(
            "basis", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False
        ),
        sa.Column(
            "source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "daily_usage >= 0", name=op.f("ck_usage_norm_daily_usage_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_usage_norm_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_usage_norm_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_norm")),
        sa.UniqueConstraint(
            "facility_id", "item_id", name=op.f("uq_usage_norm_facility_id_item_id")
        ),
    )
    with op.batch_alter_table("usage_norm", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_usage_norm_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_usage_norm_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "user_facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_user_facility_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_facility_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_facility")),
        sa.UniqueConstraint(
            "user_id", "facility_id", name=op.f("uq_user_facility_user_id_facility_id")
        ),
    )
    with op.batch_alter_table("user_facility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_facility_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_user_facility_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "balance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("last_movement_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "form IN ('physical', 'agreement')", name=op.f("ck_balance_form")
        ),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("ck_balance_quantity_nonnegative")
        ),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= quantity",
            name=op.f("ck_balance_reserved_within"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_balance_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_balance_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["last_movement_id"],
            ["movement.id"],
            name=op.f("fk_balance_last_movement_id_movement"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lot.id"], name=op.f("fk_balance_lot_id_lot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balance")),
        sa.UniqueConstraint(
            "facility_id",
            "item_id",
            "lot_id",
            "form",
            name=op.f("uq_balance_facility_id_item_id_lot_id_form"),
        ),
    )
    with op.batch_alter_table("balance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_balance_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_balance_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_balance_lot_id"), ["lot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("balance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balance_lot_id"))
        batch_op.drop_index(batch_op.f("ix_balance_item_id"))
        batch_op.drop_index(batch_op.f("ix_balance_facility_id"))

    op.drop_table("balance")
    with op.batch_alter_table("user_facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_facility_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_facility_facility_id"))

    op.drop_table("user_facility")
    with op.batch_alter_table("usage_norm", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usage_norm_item_id"))
        batch_op.drop_index(batch_op.f("ix_usage_norm_facility_id"))

    op.drop_table("usage_norm")
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_movement_order_ref"))
        batch_op.drop_index(batch_op.f("ix_movement_lot_id"))
        batch_op.drop_index(batch_op.f("ix_movement_item_id"))
        batch_op.drop_index("ix_movement_facility_time")
        batch_op.drop_index("ix_movement_balance_key")

    op.drop_table("movement")
    with op.batch_alter_table("capacity_reserve", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_reserve_item_id"))
        batch_op.drop_index(batch_op.f("ix_capacity_reserve_facility_id"))
        batch_op.drop_index(batch_op.f("ix_capacity_reserve_enterprise_id"))

    op.drop_table("capacity_reserve")
    with op.batch_alter_table("lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_item_id"))

    op.drop_table("lot")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_region_code"))
        batch_op.drop_index(batch_op.f("ix_facility_parent_id"))

    op.drop_table("facility")
    with op.batch_alter_table("catalog_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_entry_tier"))
        batch_op.drop_index(batch_op.f("ix_catalog_entry_item_id"))

    op.drop_table("catalog_entry")
    op.drop_table("user")
    op.drop_table("target_profile")
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_parent_code"))

    op.drop_table("region")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_category"))

    op.drop_table("item")
    op.drop_table("enterprise")
