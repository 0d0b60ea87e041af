"""work claims and leases

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 03:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # posts a worker has taken for a stage, until the lease runs out (storage/repo/claims.py)
    op.create_table(
        'post_claim',
        sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('stage', 'post_id'),
    )
    op.create_index(op.f('ix_post_claim_expires_at'), 'post_claim', ['expires_at'], unique=False)
    # named leases: the scheduler leader, collection targets (storage/repo/leases.py)
    op.create_table(
        'lease',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('lease')
    op.drop_index(op.f('ix_post_claim_expires_at'), table_name='post_claim')
    op.drop_table('post_claim')
