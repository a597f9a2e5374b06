"""Measured results of the fault scenarios, and docs/reliability.md written from them.

Each scenario records one :class:`Result` (before it asserts, so a failing run still shows
its figures). Results go to a directory in pytest's cache, one JSON file each, because
under pytest-xdist the scenarios run in worker processes; the controller's session-finish
hook (tests/faults/conftest.py) merges them into ``docs/reliability.md``. The page keeps
its data in a JSON comment at the end, so a run of some scenarios updates their rows and
keeps the others as last measured.

Only full runs (``make faults``, marker ``faults``) write the page; the scaled-down CI
variants that run with ``make test`` check the same figures but leave the page alone, so a
routine test run does not change a tracked file.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
DATA_MARK = "<!-- reliability-data"


@dataclass
class Result:
    scenario: str
    """Issue 8's number (``"1"``..``"8"``) or a short id."""
    title: str
    workload: str
    faults: str
    lost: int
    duplicates: int
    full: bool
    """A full run (make faults) rather than the scaled-down CI variant."""
    figures: dict[str, Any] = field(default_factory=dict)
    """Other measured figures, named for a reader (e.g. "longest consumer resume (s)")."""
    notes: str = ""
    measured_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d"))

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicates == 0


def save(directory: Path, result: Result) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    kind = "full" if result.full else "ci"
    (directory / f"{result.scenario}-{kind}.json").write_text(json.dumps(asdict(result)))


def load(directory: Path) -> list[Result]:
    if not directory.is_dir():
        return []
    return [Result(**json.loads(p.read_text())) for p in sorted(directory.glob("*.json"))]


def _previous(doc: Path) -> dict[str, Result]:
    if not doc.exists():
        return {}
    match = re.search(re.escape(DATA_MARK) + r"\n(.*?)\n-->", doc.read_text(), re.S)
    if not match:
        return {}
    return {r["scenario"]: Result(**r) for r in json.loads(match.group(1))}


def _order(scenario: str) -> tuple[int, str]:
    return (int(scenario), "") if scenario.isdigit() else (99, scenario)


def write_doc(results: list[Result], doc: Path = DOC) -> bool:
    """Merge the full-run ``results`` into ``doc``; False when there was none to write."""
    fresh = {r.scenario: r for r in results if r.full}
    if not fresh:
        return False
    merged = {**_previous(doc), **fresh}
    ordered = [merged[k] for k in sorted(merged, key=_order)]
    doc.write_text(render(ordered))
    return True


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(results: list[Result]) -> str:
    from tests.faults.report_text import FOOTER, HEADER

    rows = [
        "| # | scenario | workload | faults injected | lost records | duplicate vouchers "
        "| other figures | measured |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        others = "; ".join(f"{k}: {v}" for k, v in r.figures.items())
        rows.append(
            "| "
            + " | ".join(
                _cell(v)
                for v in (
                    r.scenario,
                    r.title,
                    r.workload,
                    r.faults,
                    f"**{r.lost}**",
                    f"**{r.duplicates}**",
                    others,
                    r.measured_at,
                )
            )
            + " |"
        )
    notes = [f"* **{r.scenario}. {r.title}**: {r.notes}" for r in results if r.notes]
    data = json.dumps([asdict(r) for r in results], indent=1)
    return (
        HEADER
        + "\n".join(rows)
        + "\n\n"
        + ("### How each was run\n\n" + "\n".join(notes) + "\n\n" if notes else "")
        + FOOTER
        + f"\n{DATA_MARK}\n{data}\n-->\n"
    )
