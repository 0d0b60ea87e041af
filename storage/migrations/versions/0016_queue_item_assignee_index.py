"""queue item assignee index

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 22:35:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # each agent's open items: counted for every page's header, the live counts, automatic assignment and capacity
    # checks (a scan of every item before: 28 ms on 100,000 items); also the queue's "Mine" view
    with op.batch_alter_table('queue_item', schema=None) as batch_op:
        batch_op.create_index('ix_queue_item_assignee_state', ['assignee', 'state'], unique=False)
    op.execute("ANALYZE")


def downgrade() -> None:
    with op.batch_alter_table('queue_item', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_item_assignee_state')
