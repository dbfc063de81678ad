"""Deterministic, seeded demo mailbox with machine-readable ground truth (see :class:`GroundTruth`)."""

from .generate import (
    DEFAULT_NOW,
    DEFAULT_SEED,
    DEFAULT_USERS,
    MBOX_NAME,
    DemoFiles,
    DemoMailbox,
    DemoMessage,
    generate_demo,
    iter_demo_messages,
    new_truth,
    write_demo,
)
from .render import format_amount, mbox_entry
from .truth import GroundTruth, load_truth

__all__ = [
    "DEFAULT_NOW",
    "DEFAULT_SEED",
    "DEFAULT_USERS",
    "MBOX_NAME",
    "DemoFiles",
    "DemoMailbox",
    "DemoMessage",
    "GroundTruth",
    "format_amount",
    "generate_demo",
    "iter_demo_messages",
    "load_truth",
    "mbox_entry",
    "new_truth",
    "write_demo",
]
