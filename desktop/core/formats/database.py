"""SQLite databases given as a file to import: a claimmark project (another one, or a copy),
or another program's database. Neither can be imported; the refusal says what to do instead.
Without this, such a file would be refused as binary data, which tells nobody anything."""

from __future__ import annotations

import shlex

from desktop.core.fileformat import FileFormat, Probe
from desktop.core.schema import APPLICATION_ID

SQLITE_MAGIC = b"SQLite format 3\x00"


def _refusal(probe: Probe) -> str:
    if probe.open_as_project:
        return (
            "the project open here itself (or its journal): a project cannot be imported "
            "into itself"
        )
    if int.from_bytes(probe.head[68:72], "big") != APPLICATION_ID:  # every project has it
        return "an SQLite database, but not a claimmark project (nor a document or an export)"
    name = shlex.quote(str(probe.path))
    export = shlex.quote(str(probe.path.with_suffix(".json")))
    return (
        "a claimmark project (an SQLite database), not a document or an export: open it as a "
        f"project (--db {name}, or File > Open Project); claimmark copy --from {name} --to "
        "PROJECT copies it whole into a new project; to bring its work into this one, export "
        f"it (claimmark export --db {name} -o {export}) and import that"
    )


FORMAT = FileFormat(
    "database",
    "SQLite database (a claimmark project)",
    recognise=lambda probe: (
        probe.open_as_project or (not probe.is_folder and probe.head.startswith(SQLITE_MAGIC))
    ),
    refusal=_refusal,
)
