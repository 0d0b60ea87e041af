"""trend dimension length

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 00:25:00
"""
from collections.abc import Sequence

import sqlmodel
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "complaint_category" is 18 characters: SQLite never checked the 16, PostgreSQL refused the trend refresh
    with op.batch_alter_table('trend_bucket', schema=None) as batch_op:
        batch_op.alter_column('dimension', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=32), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('trend_bucket', schema=None) as batch_op:
        batch_op.alter_column('dimension', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=16), existing_nullable=False)
