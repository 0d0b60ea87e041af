"""post work: the posts each stage still has to do, instead of claims over a scan of every post

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 11:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a row per post a stage still has to do, with the worker holding it (storage/repo/claims.py); finding work
    # was a scan of every post against its enrichment and routing decision, seconds a round at a million posts
    op.create_table(
        'post_work',
        sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('stage', 'post_id'),
    )
    # what was due under the old rules: posts with no enrichment; enriched posts with no routing decision, or
    # enriched again since it was made
    op.execute("INSERT INTO post_work (stage, post_id) SELECT 'enrich', post.id FROM post "
               "WHERE NOT EXISTS (SELECT 1 FROM enrichment WHERE enrichment.post_id = post.id)")
    op.execute("INSERT INTO post_work (stage, post_id) SELECT 'route', enrichment.post_id FROM enrichment "
               "LEFT JOIN route_decision ON route_decision.post_id = enrichment.post_id "
               "WHERE route_decision.post_id IS NULL OR route_decision.decided_at < enrichment.enriched_at")
    op.drop_index(op.f('ix_post_claim_expires_at'), table_name='post_claim')
    op.drop_table('post_claim')


def downgrade() -> None:
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
    op.drop_table('post_work')
