"""``python -m applylens_index.ingest.demo OUT [--messages-per-user N] [--seed S] [--format mbox|eml|both]``."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from .generate import DEFAULT_NOW, DEFAULT_SEED, DEFAULT_USERS, write_demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the seeded demo mailbox and its ground_truth.json.")
    parser.add_argument("out", help="output folder")
    parser.add_argument("--messages-per-user", type=int, default=200)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--now", default=DEFAULT_NOW.isoformat(), help="RFC 3339, timezone required")
    parser.add_argument("--users", default=",".join(DEFAULT_USERS), help="comma-separated")
    parser.add_argument("--format", choices=("mbox", "eml", "both"), default="mbox")
    parser.add_argument("--gmail-labels", type=float, default=0.5, help="share of Takeout-labelled conversations")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = write_demo(
        args.out,
        fmt=args.format,
        seed=args.seed,
        now=datetime.fromisoformat(args.now),
        users=[u.strip() for u in args.users.split(",") if u.strip()],
        messages_per_user=args.messages_per_user,
        gmail_labels=args.gmail_labels,
    )
    took = time.perf_counter() - started
    for user, path in {**files.eml_dirs, **files.mboxes}.items():
        print(f"{user}: {path}")
    print(f"ground truth: {files.truth_path}")
    print(f"{files.count} messages in {took:.2f} s ({files.count / max(took, 1e-9):,.0f} messages/s)")


if __name__ == "__main__":
    main()
