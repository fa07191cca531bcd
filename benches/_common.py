"""What every benchmark needs the same way: percentiles, the machine's CPU, and writing its own
section of BENCHMARKS.md without touching the others.

The benchmarks run as scripts (`python benches/bench_x.py`), so this folder is on their path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: an actual measurement, never an interpolated one."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cpu_model(fallback: str) -> str:
    """The CPU's model name from /proc/cpuinfo, or `fallback` where there is none (not Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return fallback


def write_section(path: Path, heading: str, section: str) -> None:
    """Replace only the `## heading` section of the results file (or add it at the end), atomically,
    so benchmarks run one by one each keep the others' results."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    os.replace(temporary, path)
