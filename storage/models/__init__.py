"""All tables, importable from one place (`from storage.models import Post`)."""

from sqlmodel import SQLModel

from storage.models.analytics import Alert, AlertCheck, TrendBucket, TrendWatermark
from storage.models.crm import (Customer, CustomerHandle, CustomerLink, LifecycleTransition, Product, Purchase,
                                SupportCase)
from storage.models.engagement import AuditEvent, ItemNote, ItemPost, QueueItem, Reply, RouteDecision
from storage.models.enrichment import Enrichment
from storage.models.privacy import AnonymousPostCount, Erasure, SuppressedAuthor
from storage.models.runs import Cursor, Lease, PostWork, ReadUsage, RunStat
from storage.models.social import Author, Post
from storage.models.staff import LoginFailure, StaffSession, StaffUser

metadata = SQLModel.metadata

__all__ = [
    "Alert",
    "AlertCheck",
    "AnonymousPostCount",
    "AuditEvent",
    "Author",
    "Cursor",
    "Customer",
    "CustomerHandle",
    "CustomerLink",
    "Enrichment",
    "Erasure",
    "ItemNote",
    "ItemPost",
    "Lease",
    "LifecycleTransition",
    "Post",
    "PostWork",
    "Product",
    "Purchase",
    "QueueItem",
    "ReadUsage",
    "Reply",
    "RouteDecision",
    "RunStat",
    "LoginFailure", "StaffSession",
    "StaffUser",
    "SupportCase",
    "SuppressedAuthor",
    "TrendBucket",
    "TrendWatermark",
    "metadata",
]
