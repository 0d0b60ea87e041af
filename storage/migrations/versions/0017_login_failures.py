"""login failures

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 00:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # failed sign-ins within the throttling window (earshot/services/login_throttle.py)
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_failure_name_address_at', 'login_failure', ['name', 'address', 'at'], unique=False)
    op.create_index('ix_login_failure_address_at', 'login_failure', ['address', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failure_address_at', table_name='login_failure')
    op.drop_index('ix_login_failure_name_address_at', table_name='login_failure')
    op.drop_table('login_failure')
