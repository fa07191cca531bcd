"""Run every benchmark in benches/ one after another; each writes its own section of BENCHMARKS.md.

`make bench` calls this. Benchmarks run one at a time so they do not compete
for the machine's cores; pass names to run only some (`python benches/run_all.py search`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent


def main(chosen: list[str]) -> int:
    scripts = sorted(BENCHES.glob("bench_*.py"))
    if chosen:
        scripts = [script for script in scripts if script.stem.removeprefix("bench_") in chosen]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "site")}
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.call([sys.executable, str(script)], cwd=ROOT, env=environment) != 0:
            failed.append(script.name)
    if failed:
        print("Failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
