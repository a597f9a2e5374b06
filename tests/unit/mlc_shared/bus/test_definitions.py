"""deploy/rabbitmq/definitions.json is exactly what the code declares for the default tenant."""

from __future__ import annotations

import json
from pathlib import Path

from mlc_shared.bus.amqp.definitions import definitions, main, render
from mlc_shared.bus.topology import Topology

DEFINITIONS_FILE = Path(__file__).resolve().parents[4] / "deploy/rabbitmq/definitions.json"


def test_committed_file_equals_the_code() -> None:
    assert DEFINITIONS_FILE.read_text(encoding="utf-8") == render(Topology(), tenant="default"), (
        "regenerate: python -m mlc_shared.bus.amqp.definitions -o deploy/rabbitmq/definitions.json"
    )


def test_file_lists_every_queue_with_its_binding() -> None:
    content = json.loads(DEFINITIONS_FILE.read_text(encoding="utf-8"))
    names = {q["name"] for q in content["queues"]}
    assert "tally.default.commands" in names
    assert "walmart.commands.parking" in names
    assert "orchestrator.events.retry.2" in names
    assert {b["destination"] for b in content["bindings"]} == names
    assert [e["name"] for e in content["exchanges"]] == ["mlc"]


def test_entry_point_writes_the_same_file(tmp_path: Path) -> None:
    out = tmp_path / "definitions.json"
    assert main(["--tenant", "acme", "--namespace", "x", "-o", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == definitions(Topology(namespace="x"), tenant="acme")
    assert "x.tally.acme.commands" in {q["name"] for q in written["queues"]}
