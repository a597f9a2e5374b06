"""The schema revisions this version ships (to tell an older database from a newer one)."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from mlc_shared.store.migrate import alembic_config


def known_revisions() -> set[str]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision for script in scripts.walk_revisions()}
