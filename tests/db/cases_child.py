"""A separate process that submits cases, for the crash and many-process tests (not a test module).

    python cases_child.py URL COUNT [--hang]

Prints each reference on its own line as soon as its transaction has committed
(what the confirmation page would show); with --hang it then waits to be killed.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from townhall.cases import service
from townhall.cases.db import Database
from townhall.cases.validation import Submission
from townhall.cases.workingdays import WorkingCalendar, load_closures
from townhall.content.models import Standard, Timescale

CONTENT = Path(__file__).resolve().parents[2] / "content"
STANDARDS = [Standard(promise="x", within=Timescale(amount, "working days"), id=ident) for ident, amount in (
    ("written-acknowledge", 3), ("written-answer", 10), ("complaint-stage-1", 5))]


def main() -> None:
    url, count, hang = sys.argv[1], int(sys.argv[2]), "--hang" in sys.argv
    database = Database(url)
    casework = service.Casework.build(STANDARDS, WorkingCalendar(load_closures(CONTENT / "closures.yaml")),
                                      reference_prefix="BK")
    submission = Submission(kind="enquiry", details="Sent from another process", name="Jo Bloggs",
                            email="jo@example.com", contact_preference="email")
    for _ in range(count):
        reference = database.transaction(
            lambda session: service.submit(session, casework, submission, datetime.now(UTC)).reference)
        print(reference, flush=True)
    if hang:
        print("waiting", flush=True)
        time.sleep(600)


if __name__ == "__main__":
    main()
