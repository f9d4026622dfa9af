"""The project store in one SQLite file.

Durability: WAL journal with `synchronous=FULL`, so every committed transaction is on disk when
the call returns and survives a crash of the program or of the machine (WAL fsyncs at each
commit; about 0.3 ms here). Files that are not claimmark projects, are damaged, or come from a
newer claimmark are refused before anything is written to them.
"""

from __future__ import annotations

import codecs
import getpass
import os
import re
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import orjson

from desktop.core import backup, newfiles, open_here, schema, store_rules
from desktop.core.errors import ClaimmarkError, Conflict, NotFound, ProjectError
from desktop.core.model import (
    BackupInfo,
    Document,
    DocumentInfo,
    DocumentVersion,
    Highlight,
    HighlightFilter,
    HighlightRow,
    Link,
    NewDocument,
    Rating,
    RelationType,
    Tag,
    check_document_details,
    highlight_problem,
    note_problem,
    sha256_text,
)
from desktop.core.sql_store import (
    HL_COLUMNS,
    LINK_COLUMNS,
    PLACED,
    NamedKind,
    SqlStore,
    doc_info,
    page_starts_column,
)
from desktop.core.timeutil import utc_now

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000

# The placeholders of an insert of every column of a Highlight.
_HL_VALUES = ", ".join("?" * len(HL_COLUMNS.split(",")))
_VERSION_COLUMNS = (
    "id, document_id, title, author, outlet, published, source, source_offset, sha256,"
    " imported_at, length, url, page_starts, text, replaced_at"
)
# A change made from a record as it was read applies only if the record is still so: the fields
# people change, and the time of the last change (see `expected` below).
_HL_STATE = "tag_id = ? AND note = ? AND rating_id IS ? AND updated_at = ?"
_LINK_STATE = "type_id = ? AND note = ? AND updated_at = ?"

# What each exported field of a record is, in SQL (see export_records): the table it is read
# from (with its alias), and an expression per field. json_object() turns each row into one
# JSON object in the given key order, escaped as orjson escapes (a test compares the bytes).
_EXPORTED: dict[str, tuple[str, dict[str, str]]] = {
    "documents": (
        "documents d",
        {
            "id": "d.id",
            "title": "d.title",
            "author": "d.author",
            "outlet": "d.outlet",
            "published": "d.published",
            "source": "d.source",
            "source_offset": "d.source_offset",
            "url": "d.url",
            "page_starts": "json(CASE WHEN d.page_starts = '' THEN '[]' ELSE d.page_starts END)",
            "sha256": "d.sha256",
            "text": "d.text",
        },
    ),
    "highlights": (
        # NOT INDEXED: reading the table in its own order and sorting is faster than following
        # the span index, whose order jumps around the table (highlights made one by one).
        # CROSS JOIN keeps the highlights the outer loop; the joins cost less than a scalar
        # subquery per row for the names.
        "highlights h NOT INDEXED CROSS JOIN tags t ON t.id = h.tag_id"
        " LEFT JOIN ratings r ON r.id = h.rating_id",
        {
            "id": "h.uuid",
            "document_id": "h.document_id",
            "start": "h.start_pos",
            "end": "h.end_pos",
            "quote": "h.quote",
            "prefix": "h.prefix",
            "suffix": "h.suffix",
            "tag": "t.name",
            "rating": "r.name",
            "note": "h.note",
            "annotator": "h.annotator",
            "created_at": "h.created_at",
            "updated_at": "h.updated_at",
        },
    ),
    "relations": (
        "links l",
        {
            "id": "l.uuid",
            "from_id": "(SELECT uuid FROM highlights WHERE id = l.from_id)",
            "to_id": "(SELECT uuid FROM highlights WHERE id = l.to_id)",
            "type": "(SELECT name FROM relation_types WHERE id = l.type_id)",
            "note": "l.note",
            "annotator": "l.annotator",
            "created_at": "l.created_at",
            "updated_at": "l.updated_at",
        },
    ),
    "done": (
        "documents_done m",
        {"annotator": "m.annotator", "document_id": "m.document_id", "done_at": "m.done_at"},
    ),
}
_EXPORT_ORDER = {
    "documents": "d.id",
    "highlights": "h.document_id, h.start_pos, h.end_pos, h.id",
    "relations": "l.id",
    "done": "m.document_id, m.annotator",
}


def default_annotator() -> str:
    """The login name, the default annotator of new highlights."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def _read_header(path: Path) -> bytes:
    """The first 100 bytes of a regular file. Anything else is refused without waiting on it:
    opening a pipe would wait for a writer forever, and a device never ends."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise ProjectError(f"{path}: cannot read this file (permission denied).") from None
    except OSError as e:
        raise ProjectError(f"{path}: cannot read this file ({e.strerror}).") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ProjectError(
                f"{path}: not a regular file (a device, a pipe or a socket); "
                "it is not a claimmark project."
            )
        return os.read(fd, 100)
    except OSError as e:
        raise ProjectError(f"{path}: cannot read this file ({e.strerror}).") from None
    finally:
        os.close(fd)


def _check_existing_file(path: Path) -> None:
    """Refuse, from the file header alone, anything that is not a project this code may open."""
    header = _read_header(path)
    if not header:
        raise ProjectError(f"{path}: the file is empty; it is not a claimmark project.")
    if not header.startswith(SQLITE_MAGIC):
        raise ProjectError(f"{path}: not a claimmark project (it is not an SQLite database).")
    if len(header) < 100:
        raise ProjectError(f"{path}: {_truncated(f'{len(header)} bytes, less than its header')}")
    _check_whole_pages(path, header)
    user_version = int.from_bytes(header[60:64], "big")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in (0, schema.APPLICATION_ID):
        raise ProjectError(
            f"{path}: an SQLite database of another program, not a claimmark project."
        )
    _refuse_newer(path, user_version)


def _refuse_newer(path: Path, version: int) -> None:
    if version > schema.LATEST:
        raise ProjectError(
            f"{path}: this project was saved by a newer claimmark (schema version "
            f"{version}; this version knows up to {schema.LATEST}). Update claimmark to "
            "open it; the file was not changed."
        )


def _truncated(how: str) -> str:
    return (
        f"the project file is damaged (cut short: {how}); it was not changed. "
        "Restore a backup (File > Restore Backup)."
    )


def _check_whole_pages(path: Path, header: bytes) -> None:
    """Refuse a file cut short in the middle of a page.

    SQLite reads the missing end of the last page as zeros and may find nothing wrong, so a
    truncated project could open and be written to. A file with a journal beside it is left to
    SQLite: a crash during a checkpoint can leave a partly written last page that the journal
    repairs.
    """
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    try:
        size = path.stat().st_size
        for journal in (Path(f"{path}-wal"), Path(f"{path}-journal")):
            if journal.exists() and journal.stat().st_size > 0:
                return
    except OSError as e:
        raise ProjectError(f"{path}: cannot read this file ({e.strerror}).") from None
    if page_size >= 512 and size % page_size:
        pages = f"{size} bytes, not a whole number of {page_size}-byte pages"
        raise ProjectError(f"{path}: {_truncated(pages)}")


def remove_if_unused(path: Path) -> bool:
    """Remove the project file at `path` (and its journal files) if nobody else has it open and
    it holds no document; whether it was removed.

    For a project that a command created and then put nothing into: another window or command
    may have opened it meanwhile, and it is theirs then. Leaving the write-ahead journal, which
    SQLite allows only to the one connection to a file, tells that nobody else has it open;
    the exclusive transaction keeps anyone from starting to write while it is looked at and
    removed."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    except sqlite3.Error:
        return False
    try:
        _defend(conn)
        if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0].lower() != "delete":
            return False
        conn.execute("BEGIN EXCLUSIVE")
        try:
            empty = not conn.execute("SELECT EXISTS (SELECT 1 FROM documents)").fetchone()[0]
            if empty:
                for part in reversed(_project_files(str(path))):  # the journals first
                    Path(part).unlink(missing_ok=True)
        finally:
            conn.execute("ROLLBACK")
        if not empty:
            conn.execute("PRAGMA journal_mode = WAL")  # as it was: someone's project now
        return empty
    except (sqlite3.Error, OSError):
        return False
    finally:
        conn.close()


def _check_writable(path: Path) -> None:
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        raise ProjectError(f"{path}: the project file is read-only; claimmark needs to save to it.")
    if not os.access(folder, os.W_OK):
        raise ProjectError(
            f"{path}: the folder {folder} is read-only; claimmark needs to write its journal there."
        )


def _link_if_absent(new: Path, target: Path) -> None:
    """Give the complete file `new` the name `target`, unless `target` exists (then keep it)."""
    try:
        os.link(new, target)
    except FileExistsError:
        return
    except OSError:
        # No hard links here (FAT, some network shares): rename, which would replace, so look
        # first. Another process would have to create the project in between.
        if target.exists():
            return
        os.replace(new, target)
    try:  # make the new name itself durable
        fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its file system orders this itself
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# What SQLite may do for a project file that came from someone else: nothing but claimmark's own
# statements. Its schema is compared with claimmark's before anything reads a table (a trigger
# or a view would run the sender's SQL), with the schema's functions untrusted and the limits
# low. (Python 3.12 also offers SQLITE_DBCONFIG_DEFENSIVE; it is used where there.)
_LIMITS = {
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_COLUMN: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 8,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 32,  # json_object() of an exported highlight takes 26
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1000,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 1_000_000,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 1,
}
_DBCONFIG: tuple[tuple[str, bool], ...] = (  # (name, value): on Python 3.12 and later
    ("SQLITE_DBCONFIG_DEFENSIVE", True),
    ("SQLITE_DBCONFIG_TRUSTED_SCHEMA", False),
    ("SQLITE_DBCONFIG_ENABLE_TRIGGER", False),
    ("SQLITE_DBCONFIG_ENABLE_VIEW", False),
)

SchemaEntry = tuple[str, str, str, str]  # (type, name, table, SQL) of a row of sqlite_master


def _defend(conn: sqlite3.Connection) -> None:
    """SQLite's defensive settings, before the schema is read."""
    for name, enabled in _DBCONFIG:
        option = getattr(sqlite3, name, None)
        if option is not None and hasattr(conn, "setconfig"):
            conn.setconfig(option, enabled)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    for limit, value in _LIMITS.items():
        conn.setlimit(limit, value)


def _apply_migration(conn: sqlite3.Connection, number: int, location: str = "") -> None:
    """Apply schema migration `number` inside the caller's transaction."""
    for statement in schema.MIGRATIONS[number].split(";"):
        if statement.strip():
            conn.execute(statement)
    if number == 1:
        conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        for position, (name, colour, key) in enumerate(schema.DEFAULT_TAGS):
            conn.execute(
                "INSERT INTO tags (name, colour, key, position) VALUES (?, ?, ?, ?)",
                (name, colour, key, position),
            )
    if number == 5:
        for position, (name, colour, key) in enumerate(schema.DEFAULT_RELATION_TYPES):
            conn.execute(
                "INSERT INTO relation_types (name, colour, key, position) VALUES (?, ?, ?, ?)",
                (name, colour, key, position),
            )
        conn.executemany(
            "INSERT INTO ratings (name, value, colour, key) VALUES (?, ?, ?, ?)",
            schema.DEFAULT_RATINGS,
        )
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise ProjectError(
            f"{location}: the project's records do not fit together ({len(broken)} "
            "references to nothing); it was not changed."
        )
    conn.execute(f"PRAGMA user_version = {number}")


def _schema_of(conn: sqlite3.Connection) -> frozenset[SchemaEntry]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return frozenset((t, n, tbl, _normal_sql(sql)) for t, n, tbl, sql in rows)


def _normal_sql(sql: str | None) -> str:
    """SQL as written, give or take white space and the quotes around a plain name (how SQLite
    rewrites a renamed table's SQL differs between its versions)."""
    return re.sub(r'"(\w+)"', r"\1", " ".join((sql or "").split()))


@cache
def expected_schema(version: int) -> frozenset[SchemaEntry]:
    """The sqlite_master of a claimmark project of schema `version`, made by its migrations."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for number in range(1, version + 1):
            conn.execute("BEGIN")
            _apply_migration(conn, number)
            conn.execute("COMMIT")
        return _schema_of(conn)
    finally:
        conn.close()


def _schema_difference(found: frozenset[SchemaEntry], expected: frozenset[SchemaEntry]) -> str:
    """The first way `found` differs from `expected`, in words, or "" when it does not."""
    names = {(t, n) for t, n, _, _ in expected}
    for kind, name, _, _ in sorted(found - expected):
        if (kind, name) in names:
            return f"the {kind} “{name}” is not as claimmark makes it"
        return f"a {kind} “{name}” that claimmark did not make"
    for kind, name, _, _ in sorted(expected - found):
        return f"no {kind} “{name}”"
    return ""


def _describe(e: sqlite3.Error) -> str:
    text = str(e)
    if "disk is full" in text or "database or disk is full" in text:
        return "the disk is full"
    if "locked" in text or "busy" in text:
        return "the project is busy in another window or program; try again"
    if "readonly" in text or "read-only" in text:
        return "the project file cannot be written (read-only)"
    if "malformed database schema" in text:
        return "its tables are not claimmark's, or it is damaged"
    if "malformed" in text or "not a database" in text:
        return "the project file is damaged"
    if "FOREIGN KEY" in text:
        return "its tag or document no longer exists (deleted in another window?); press F5"
    return text


def _project_files(location: str) -> tuple[str, ...]:
    location = os.path.abspath(location)
    return (location, f"{location}-wal", f"{location}-shm")


def _connect_read_only(p: Path) -> sqlite3.Connection:
    """A read-only connection, also on read-only media.

    On a read-only disk or folder, SQLite cannot make the index of the write-ahead journal
    (NAME-shm) and refuses to read. Without a journal (a project closed normally) nothing can
    change the file, and it is opened as immutable; with one, reading the file alone would miss
    the changes in it.
    """
    if os.access(p, os.W_OK) and os.access(p.parent, os.W_OK):
        # Where SQLite may make its journal files, they are removed again when it closes, as
        # for any project; query_only keeps this connection from writing anything else.
        conn = sqlite3.connect(p, isolation_level=None)
        _defend(conn)
        conn.execute("PRAGMA query_only = ON")
        return conn
    uri = p.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
    _defend(conn)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # reads the file's header
        return conn
    except sqlite3.OperationalError as e:
        conn.close()
        if "unable to open" not in str(e) and "readonly" not in str(e):
            raise
    journal = Path(f"{p}-wal")
    if journal.exists() and journal.stat().st_size > 0:
        raise ProjectError(
            f"{p}: cannot be read here: its journal ({journal.name}) holds changes that are not "
            f"in the file yet, and on this read-only disk or folder SQLite cannot make the index "
            f"it needs to read them ({p.name}-shm). Copy the project and {journal.name} to a "
            "writable folder, or open it where it was saved."
        )
    conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)
    _defend(conn)
    return conn


class SqliteStore(SqlStore):
    """A project in one SQLite file. Create one with `SqliteStore.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, location: str, read_only: bool) -> None:
        self._conn = conn
        self.location = location
        self.read_only = read_only
        self.annotator = default_annotator()
        self._depth = 0
        self._open_key: tuple[int, int] | None = None  # see open_here
        self._text_cache: tuple[int, str, str] | None = None  # (document id, sha256, text)
        # The project file and its journal files as they were when it opened: see _check_files.
        self._files: dict[str, tuple[int, int] | None] = {}
        if not read_only:
            self._files = {name: open_here.identity(name) for name in _project_files(location)}

    # Opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
    ) -> SqliteStore:
        """Open (or create) the project at `path`; raise ProjectError with the reason if not."""
        p = Path(path)
        if p.is_dir():
            raise ProjectError(f"{p}: is a folder, not a project file.")
        exists = p.exists()
        if exists:
            if not open_here.is_open(p):  # else checked when opened first (see open_here)
                _check_existing_file(p)
        elif not create or read_only:
            raise ProjectError(f"{p}: no project file here.")
        elif not p.parent.is_dir():
            raise ProjectError(f"{p}: the folder {p.parent} does not exist.")
        if not read_only:
            _check_writable(p)
        if not exists:
            cls._create(p)
            _check_existing_file(p)  # ours, or what another process put there first
        try:
            if read_only:
                conn = _connect_read_only(p)
            else:
                conn = sqlite3.connect(p, isolation_level=None)
                _defend(conn)
        except sqlite3.Error as e:
            raise ProjectError(f"{p}: cannot open the project ({_describe(e)}).") from None
        try:
            store = cls._prepare(conn, p, read_only)
        except sqlite3.Error as e:
            conn.close()
            raise ProjectError(f"{p}: cannot open the project ({_describe(e)}).") from None
        except ClaimmarkError:
            conn.close()
            raise
        store._open_key = open_here.add(p)
        return store

    @classmethod
    def _create(cls, p: Path) -> None:
        """Make a new project at `p` all at once.

        The schema is written into a temporary file beside `p`, which is linked into place only
        if nothing is there yet. So no one ever sees the project file empty or half made: not
        another process creating the same project at the same moment (it found an empty file,
        or tables it was about to create), and not the next start after a crash during creation
        (an empty file is refused as not a project).
        """
        try:
            fd, tmp = newfiles.create_file(p.parent, f".{p.name}.", ".new")  # with the umask
        except OSError as e:
            raise ProjectError(f"{p}: cannot create the project ({e.strerror}).") from None
        os.close(fd)
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                # Written with a rollback journal, so that the file itself holds the schema
                # when it is committed; then marked for WAL, as every project is.
                conn.execute("PRAGMA synchronous = FULL")
                cls(conn, str(p), read_only=False)._migrate()
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise ProjectError(f"{p}: cannot use a write-ahead journal here ({mode}).")
            finally:
                conn.close()
            _link_if_absent(tmp, p)
        except sqlite3.Error as e:
            raise ProjectError(f"{p}: cannot create the project ({_describe(e)}).") from None
        except OSError as e:
            raise ProjectError(f"{p}: cannot create the project ({e.strerror}).") from None
        finally:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                leftover.unlink(missing_ok=True)

    @classmethod
    def _prepare(cls, conn: sqlite3.Connection, p: Path, read_only: bool) -> SqliteStore:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")  # the schema and its version as of one moment
        try:
            found = _schema_of(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.execute("COMMIT")
        _refuse_newer(p, version)
        if version == 0 and found:
            raise ProjectError(
                f"{p}: an SQLite database of another program, not a claimmark project."
            )
        if version == 0 and read_only:
            raise ProjectError(f"{p}: an empty SQLite database, not a claimmark project yet.")
        difference = _schema_difference(found, expected_schema(version))
        if difference:
            raise ProjectError(
                f"{p}: not a claimmark project: its tables are not claimmark's ({difference}). "
                "It was not opened, and nothing in it was run."
            )
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            first = check[0][0].splitlines()[0]
            raise ProjectError(
                f"{p}: the project file is damaged ({first}); it was not changed. "
                "Restore a backup (File > Restore Backup)."
            )
        if not read_only:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise ProjectError(f"{p}: cannot use a write-ahead journal here ({mode}).")
            conn.execute("PRAGMA synchronous = FULL")
        # 8 MB of page cache (the default is 2 MB) helps large imports and exports; more would
        # stay resident in the window for little gain.
        conn.execute("PRAGMA cache_size = -8192")
        # A large sort (an export's 100,000 records in reading order) may use one helper
        # thread: 10-20% faster on two cores.
        conn.execute("PRAGMA threads = 1")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        store = cls(conn, str(p), read_only)
        if not read_only:
            store._migrate()
        return store

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        pending = sorted(n for n in schema.MIGRATIONS if n > version)
        if not pending:
            return
        if version > 0:  # an upgrade: keep the file as it was, first
            backup.make_backup(Path(self.location))
        # A migration may rebuild a table others refer to, which needs the foreign keys off
        # (they cannot be switched inside a transaction); they are checked before each commit.
        self._conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for number in pending:
                with self.batch():
                    if self._conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                        continue  # another process applied it while this one waited for the lock
                    _apply_migration(self._conn, number, self.location)
        finally:
            self._conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self._conn.close()
        open_here.remove(self._open_key)
        self._open_key = None

    @property
    def name(self) -> str:
        """The project's name for people: its file name without the suffix."""
        return Path(self.location).stem

    # Backups (each call opens its own connection: safe from a background thread) -----------

    def make_backup(self) -> Path:
        """Copy the project, as committed now, into a new backup."""
        return backup.make_backup(Path(self.location))

    def backups(self) -> list[BackupInfo]:
        """This project's backups, newest first."""
        return backup.list_backups(Path(self.location))

    def changed_since_backup(self) -> bool:
        """Whether the project file changed after its newest backup was made."""
        return backup.changed_since_last_backup(Path(self.location))

    # Transactions ------------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if self.read_only:
            raise ProjectError(f"{self.location}: the project is open read-only.")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise ProjectError(f"{self.location}: could not save ({_describe(e)}).") from None
        self._depth = 1
        try:
            yield
        except sqlite3.Error as e:
            self._rollback()
            raise ProjectError(f"{self.location}: could not save ({_describe(e)}).") from None
        except UnicodeEncodeError:  # a lone surrogate: no file, and no export, can hold it
            self._rollback()
            raise ClaimmarkError(
                "Text that is not valid Unicode (a lone surrogate) cannot be saved."
            ) from None
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self._check_files()
                self._conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._rollback()
                raise ProjectError(f"{self.location}: could not save ({_describe(e)}).") from None
            except BaseException:
                self._rollback()
                raise
        finally:
            self._depth = 0

    def _check_files(self) -> None:
        """Refuse to commit when the project file or a journal file was deleted or replaced.

        SQLite goes on writing into files it has open, even when they no longer have a name:
        a commit into a deleted NAME-wal succeeds, shows as saved, and is lost when the program
        ends without closing the project (and another program sees a journal without it).
        While this connection is open SQLite never deletes these files itself, so another name
        or none means someone else did. What was committed before is moved into the project file
        (a checkpoint reads the deleted journal through the open file), and no more is written.
        """
        for name, known in self._files.items():
            now = open_here.identity(name)
            if known is None:  # not made yet when the project opened
                self._files[name] = now
            elif now != known:
                self._rollback()
                rescued = False
                with suppress(sqlite3.Error):
                    busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                    rescued = busy == 0
                what = "deleted" if now is None else "replaced"
                before = (
                    "What was saved before is in the project file"
                    if rescued
                    else "What was saved before may be lost"
                )
                raise ProjectError(
                    f"{self.location}: {Path(name).name} was {what} by another program while "
                    "the project was open, so this change was not saved and nothing more can "
                    f"be. {before}; close the project and open it again."
                )

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make every read inside the block see one state of the project, even while another
        window or program commits (an export reads tags, documents and highlights)."""
        if self._depth or self._conn.in_transaction:
            yield
            return
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as e:
            raise ProjectError(f"{self.location}: cannot read ({_describe(e)}).") from None
        try:
            yield
        finally:
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _run(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    # Documents ---------------------------------------------------------------------------

    def set_document_details(
        self, document_id: int, title: str, author: str, outlet: str, published: str, url: str
    ) -> DocumentInfo:
        """A document's title, author, outlet, date and address (its text stays as it is)."""
        check_document_details(title, published)
        with self.batch():
            cur = self._conn.execute(
                "UPDATE documents SET title = ?, author = ?, outlet = ?, published = ?, url = ?"
                " WHERE id = ?",
                (title, author, outlet, published, url, document_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"There is no document {document_id} in this project.")
        return self.document(document_id).info

    def add_documents(self, documents: Sequence[NewDocument]) -> list[DocumentInfo]:
        added: list[DocumentInfo] = []
        with self.batch():
            for doc in documents:
                digest = sha256_text(doc.text)
                if self.document_by_sha256(digest) is not None:
                    continue
                self._conn.execute(
                    "INSERT INTO documents (title, author, outlet, published, source,"
                    " source_offset, sha256, text, length, imported_at, url, page_starts)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc.title,
                        doc.author,
                        doc.outlet,
                        doc.published,
                        doc.source,
                        doc.source_offset,
                        digest,
                        doc.text,
                        len(doc.text),
                        utc_now(),
                        doc.url,
                        page_starts_column(doc.page_starts),
                    ),
                )
                info = self.document_by_sha256(digest)
                assert info is not None
                added.append(info)
        return added

    def delete_document(self, document_id: int) -> tuple[Document, list[Highlight]]:
        """Delete a document and its highlights; returns both so the deletion can be undone."""
        doc = self.document(document_id)
        with self.batch():
            removed = self._select_highlights("WHERE document_id = ?", (document_id,))
            self._conn.execute("DELETE FROM highlights WHERE document_id = ?", (document_id,))
            self._conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        self._text_cache = None
        return doc, removed

    def restore_document(self, document: Document, highlights: Sequence[Highlight]) -> None:
        """Put back a deleted document and its highlights, with their ids."""
        info = document.info
        if self.document_by_sha256(info.sha256) is not None:
            raise ClaimmarkError(f"“{info.title}” is in the project again already (imported?).")
        with self.batch():
            self._conn.execute(
                "INSERT INTO documents (id, title, author, outlet, published, source,"
                " source_offset, sha256, text, length, imported_at, url, page_starts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.id,
                    info.title,
                    info.author,
                    info.outlet,
                    info.published,
                    info.source,
                    info.source_offset,
                    info.sha256,
                    document.text,
                    info.length,
                    info.imported_at,
                    info.url,
                    page_starts_column(info.page_starts),
                ),
            )
            self.insert_highlights(highlights, keep_ids=True)

    # Versions of a document ---------------------------------------------------------------

    def update_document(
        self,
        document_id: int,
        document: NewDocument,
        replaced_at: str | None = None,
        expected: DocumentInfo | None = None,
    ) -> DocumentVersion:
        """Give a document a new text and metadata, keeping its id, its highlights and their
        links (the caller places the highlights in the new text: see set_highlight_places).
        Its text and metadata as they were become a version of it, which is returned. With
        `expected`, only if its text is still the one `expected` had (else Conflict)."""
        digest = sha256_text(document.text)
        when = replaced_at or utc_now()
        with self.batch():
            old = self.document(document_id)
            _check_document(old.info, expected)
            self._check_new_text(old, digest)
            version_id = self._insert_version(None, old, when)
            self._conn.execute(
                "UPDATE documents SET title = ?, author = ?, outlet = ?, published = ?,"
                " source = ?, source_offset = ?, sha256 = ?, text = ?, length = ?,"
                " imported_at = ?, url = ?, page_starts = ? WHERE id = ?",
                (
                    document.title,
                    document.author,
                    document.outlet,
                    document.published,
                    document.source,
                    document.source_offset,
                    digest,
                    document.text,
                    len(document.text),
                    when,
                    document.url,
                    page_starts_column(document.page_starts),
                    document_id,
                ),
            )
        self._text_cache = None
        return DocumentVersion(version_id, old, when)

    def restore_version(
        self, version: DocumentVersion, expected: DocumentInfo | None = None
    ) -> None:
        """Put a document back to one of its versions, text and metadata; that version is no
        longer kept as one (the undo of update_document). With `expected`, only if its text is
        still the one `expected` had (else Conflict)."""
        info = version.document.info
        with self.batch():
            if expected is not None:
                _check_document(self.document(info.id).info, expected)
            cur = self._conn.execute(
                "DELETE FROM document_versions WHERE id = ? AND document_id = ?",
                (version.id, info.id),
            )
            if cur.rowcount == 0:
                raise NotFound(
                    f"the earlier version of “{info.title}” is no longer there "
                    "(deleted in another window?)"
                )
            self._check_earlier_text(info)
            self._conn.execute(
                "UPDATE documents SET title = ?, author = ?, outlet = ?, published = ?,"
                " source = ?, source_offset = ?, sha256 = ?, text = ?, length = ?,"
                " imported_at = ?, url = ?, page_starts = ? WHERE id = ?",
                (
                    info.title,
                    info.author,
                    info.outlet,
                    info.published,
                    info.source,
                    info.source_offset,
                    info.sha256,
                    version.document.text,
                    info.length,
                    info.imported_at,
                    info.url,
                    page_starts_column(info.page_starts),
                    info.id,
                ),
            )
        self._text_cache = None

    def document_versions(self, document_id: int) -> list[DocumentVersion]:
        """A document's earlier versions, with their texts, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_VERSION_COLUMNS} FROM document_versions WHERE document_id = ? ORDER BY id",
            (document_id,),
        )
        # A row: the version's id, the document's info as DOC_COLUMNS has it, text, when.
        return [
            DocumentVersion(row[0], Document(doc_info(row[1:13]), row[13]), row[14]) for row in rows
        ]

    def restore_document_versions(self, versions: Sequence[DocumentVersion]) -> None:
        """Put back versions with their ids (the undo of deleting their document)."""
        with self.batch():
            for version in versions:
                self._insert_version(version.id, version.document, version.replaced_at)

    def _insert_version(self, version_id: int | None, document: Document, replaced_at: str) -> int:
        info = document.info
        cur = self._conn.execute(
            f"INSERT INTO document_versions ({_VERSION_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            (
                version_id,
                info.id,
                info.title,
                info.author,
                info.outlet,
                info.published,
                info.source,
                info.source_offset,
                info.sha256,
                info.imported_at,
                info.length,
                info.url,
                page_starts_column(info.page_starts),
                document.text,
                replaced_at,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    # Tags and link types: named, coloured, keyed, in an order -----------------------------

    def _check_named_fields(
        self,
        kind: NamedKind[Any],
        item_id: int | None,
        name: str | None,
        colour: str | None,
        key: str | None,
    ) -> None:
        others = [r for r in self._named(kind.table) if r[0] != item_id]
        store_rules.check_named_fields(others, kind.what, name, colour, key)

    def _insert_named(self, kind: NamedKind[Any], item: Tag | RelationType) -> int:
        self._check_named_fields(kind, None, item.name, item.colour, item.key)
        with self.batch():
            position = item.position
            if position < 0:
                position = self._conn.execute(
                    f"SELECT coalesce(max(position) + 1, 0) FROM {kind.table}"
                ).fetchone()[0]
            cur = self._conn.execute(
                f"INSERT INTO {kind.table} (id, name, colour, key, position)"
                " VALUES (?, ?, ?, ?, ?)",
                (item.id or None, item.name, item.colour.upper(), item.key, position),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _update_named(
        self,
        kind: NamedKind[Any],
        item_id: int,
        name: str | None,
        colour: str | None,
        key: str | None,
    ) -> None:
        self._check_named_fields(kind, item_id, name, colour, key)
        with self.batch():
            cur = self._conn.execute(
                f"UPDATE {kind.table} SET name = coalesce(?, name), colour = coalesce(?, colour),"
                " key = coalesce(?, key) WHERE id = ?",
                (name, colour.upper() if colour else None, key, item_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"There is no {kind.what} {item_id} in this project.")

    def _set_order(self, kind: NamedKind[Any], ids: Sequence[int]) -> None:
        what = kind.what
        if sorted(ids) != sorted(r[0] for r in self._named(kind.table)):
            raise ClaimmarkError(f"The new {what} order must list every {what} once.")
        with self.batch():
            self._conn.executemany(
                f"UPDATE {kind.table} SET position = ? WHERE id = ?",
                [(position, item_id) for position, item_id in enumerate(ids)],
            )

    def delete_tag(self, tag_id: int) -> tuple[Tag, list[Highlight]]:
        """Delete a tag with its highlights (and their links: see links_touching)."""
        tag = self.tag(tag_id)
        with self.batch():
            removed = self._select_highlights("WHERE tag_id = ?", (tag_id,))
            self._conn.execute("DELETE FROM highlights WHERE tag_id = ?", (tag_id,))
            self._conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
        return tag, removed

    # The rating scale --------------------------------------------------------------------

    def insert_rating(self, rating: Rating) -> Rating:
        """Store a rating of the scale; id 0 gets a new id."""
        self._check_rating(rating)
        with self.batch():
            cur = self._conn.execute(
                "INSERT INTO ratings (id, name, value, colour, key) VALUES (?, ?, ?, ?, ?)",
                (rating.id or None, rating.name, rating.value, rating.colour.upper(), rating.key),
            )
        assert cur.lastrowid is not None
        return self.rating(cur.lastrowid)

    def update_rating(self, rating: Rating) -> Rating:
        """Give a rating of the scale the name, value, colour and key `rating` has."""
        self.rating(rating.id)
        self._check_rating(rating)
        with self.batch():
            self._conn.execute(
                "UPDATE ratings SET name = ?, value = ?, colour = ?, key = ? WHERE id = ?",
                (rating.name, rating.value, rating.colour.upper(), rating.key, rating.id),
            )
        return self.rating(rating.id)

    def delete_rating(self, rating_id: int) -> tuple[Rating, list[Highlight]]:
        """Delete a rating; the highlights that had it (returned as they were) lose it, and
        keep their change time."""
        rating = self.rating(rating_id)
        with self.batch():
            rated = self._select_highlights("WHERE rating_id = ?", (rating_id,))
            self._conn.execute(
                "UPDATE highlights SET rating_id = NULL WHERE rating_id = ?", (rating_id,)
            )
            self._conn.execute("DELETE FROM ratings WHERE id = ?", (rating_id,))
        return rating, rated

    def restore_rating(self, rating: Rating, rated: Sequence[Highlight]) -> list[Highlight]:
        """Put back a deleted rating and give it back to the highlights that had it, those
        still as the deletion left them (see ProjectStore.restore_rating)."""
        with self.batch():
            self.insert_rating(rating)
            given = [
                h.id
                for h in rated
                if self._conn.execute(
                    "UPDATE highlights SET rating_id = ?"
                    " WHERE id = ? AND rating_id IS NULL AND updated_at = ?",
                    (rating.id, h.id, h.updated_at),
                ).rowcount
            ]
            return sorted(self._select_by_ids(given))

    # Links -------------------------------------------------------------------------------

    def links_touching(self, highlight_ids: Sequence[int]) -> list[Link]:
        """The links from or to any of these highlights."""
        found: dict[int, Link] = {}
        for lo in range(0, len(highlight_ids), 400):
            chunk = list(highlight_ids[lo : lo + 400])
            marks = ", ".join("?" * len(chunk))
            for link in self._select_links(
                f"WHERE from_id IN ({marks}) OR to_id IN ({marks})", chunk + chunk
            ):
                found[link.id] = link
        return sorted(found.values())

    def insert_link(self, link: Link) -> Link:
        """Store one link (id 0 gets a new id); returns it as stored."""
        if link.from_id == link.to_id:
            raise ClaimmarkError("A highlight cannot be linked to itself.")
        with self.batch():
            self.relation_type(link.type_id)
            for end in (link.from_id, link.to_id):
                self.highlight(end)
            try:
                cur = self._conn.execute(
                    f"INSERT INTO links ({LINK_COLUMNS}) VALUES (?{', ?' * 8})",
                    (link.id or None, *link[1:]),
                )
            except sqlite3.IntegrityError as e:
                if "UNIQUE" not in str(e):
                    raise
                raise ClaimmarkError("These two highlights are already linked that way.") from None
        assert cur.lastrowid is not None
        return link._replace(id=cur.lastrowid)

    def insert_links(self, links: Sequence[Link]) -> list[Link]:
        """Put back complete links with their ids (undo); returns those put back. A link already
        there, or whose highlight or type is gone meanwhile, is skipped."""
        restored: list[Link] = []
        with self.batch():
            for link in links:
                cur = self._conn.execute(
                    f"INSERT INTO links ({LINK_COLUMNS}) SELECT ?{', ?' * 8}"
                    " WHERE EXISTS (SELECT 1 FROM highlights WHERE id = ?)"
                    " AND EXISTS (SELECT 1 FROM highlights WHERE id = ?)"
                    " AND EXISTS (SELECT 1 FROM relation_types WHERE id = ?)"
                    " ON CONFLICT DO NOTHING",
                    (*link, link.from_id, link.to_id, link.type_id),
                )
                if cur.rowcount:
                    restored.append(link)
        return restored

    def update_link(
        self,
        link_id: int,
        *,
        type_id: int | None = None,
        note: str | None = None,
        updated_at: str | None = None,
        expected: Link | None = None,
    ) -> Link:
        """Change a link's type or note (None keeps it); `updated_at` defaults to now. With
        `expected`, only if the link is still as it was then (else Conflict)."""
        with self.batch():
            if type_id is not None:
                self.relation_type(type_id)
            sql = (
                "UPDATE links SET type_id = coalesce(?, type_id), note = coalesce(?, note),"
                " updated_at = ? WHERE id = ?"
            )
            params: list[object] = [type_id, note, updated_at or utc_now(), link_id]
            if expected is not None:
                sql += f" AND {_LINK_STATE}"
                params += [expected.type_id, expected.note, expected.updated_at]
            try:
                cur = self._conn.execute(sql, params)
            except sqlite3.IntegrityError:
                raise ClaimmarkError("These two highlights are already linked that way.") from None
            if cur.rowcount == 0:
                self._refused("link", self._select_links("WHERE id = ?", (link_id,)))
        return self.link(link_id)

    def delete_link(self, link_id: int, expected: Link | None = None) -> Link:
        """Delete a link; with `expected`, only if it is still as it was then (else Conflict)."""
        with self.batch():
            link = self.link(link_id)
            if expected is not None and _link_state(link) != _link_state(expected):
                self._refused("link", [link])
            self._conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        return link

    # Annotators' progress ------------------------------------------------------------------

    def annotators(self) -> list[str]:
        """Everyone who made a highlight or marked a document done, by name."""
        rows = self._conn.execute(
            "SELECT annotator FROM highlights UNION SELECT annotator FROM documents_done ORDER BY 1"
        )
        return [a for (a,) in rows]

    # Highlights --------------------------------------------------------------------------

    def insert_highlight(self, highlight: Highlight) -> Highlight:
        """Store one complete highlight; an id of 0 gets a new id. Returns it as stored."""
        with self.batch():
            try:
                cur = self._conn.execute(
                    f"INSERT INTO highlights ({HL_COLUMNS}) VALUES ({_HL_VALUES})",
                    (highlight.id or None, *highlight[1:]),
                )
            except sqlite3.IntegrityError as e:
                if "UNIQUE" not in str(e):
                    raise
                raise ClaimmarkError(
                    "the highlight is in the project already (imported, or made in another window?)"
                ) from None
        assert cur.lastrowid is not None
        return highlight._replace(id=cur.lastrowid)  # as stored: no need to read it back

    def insert_highlights(self, highlights: Sequence[Highlight], *, keep_ids: bool) -> int:
        for h in highlights:
            problem = highlight_problem(h.uuid, h.note, h.annotator, h.created_at, h.updated_at)
            store_rules.refuse(problem)
        # A Highlight is a tuple in column order already.
        rows: Sequence[Sequence[object]] = highlights
        if not keep_ids:
            rows = [(None, *h[1:]) for h in highlights]
        with self.batch():
            before = self._conn.total_changes
            self._conn.executemany(
                f"INSERT INTO highlights ({HL_COLUMNS}) VALUES ({_HL_VALUES})"
                " ON CONFLICT (uuid) DO NOTHING",
                rows,
            )
            return self._conn.total_changes - before

    def update_highlight(
        self,
        highlight_id: int,
        *,
        tag_id: int | None = None,
        note: str | None = None,
        updated_at: str | None = None,
        expected: Highlight | None = None,
    ) -> Highlight:
        """Change a highlight's tag or note (None leaves a field as it is); returns it as
        stored. `updated_at` defaults to now (undo passes the time it puts back). With
        `expected`, only if the highlight is still as it was then (else Conflict)."""
        if tag_id is not None:
            self.tag(tag_id)
        if note is not None:
            store_rules.refuse(note_problem(note))
        with self.batch():
            self._update_highlight(
                "tag_id = coalesce(?, tag_id), note = coalesce(?, note)",
                [tag_id, note],
                highlight_id,
                updated_at,
                expected,
            )
        return self.highlight(highlight_id)

    def _update_highlight(
        self,
        assignments: str,
        values: list[object],
        highlight_id: int,
        updated_at: str | None,
        expected: Highlight | None,
    ) -> None:
        sql = f"UPDATE highlights SET {assignments}, updated_at = ? WHERE id = ?"
        params = [*values, updated_at or utc_now(), highlight_id]
        if expected is not None:
            sql += f" AND {_HL_STATE}"
            params += _hl_state(expected)
        if self._conn.execute(sql, params).rowcount == 0:
            self._refused("highlight", self._select_highlights("WHERE id = ?", (highlight_id,)))

    def set_rating(
        self,
        highlight_id: int,
        rating_id: int | None,
        updated_at: str | None = None,
        expected: Highlight | None = None,
    ) -> Highlight:
        """Give a highlight a verdict from the rating scale, or take it away (None)."""
        with self.batch():
            if rating_id is not None:
                self.rating(rating_id)
            self._update_highlight("rating_id = ?", [rating_id], highlight_id, updated_at, expected)
        return self.highlight(highlight_id)

    def delete_highlight(self, highlight_id: int, expected: Highlight | None = None) -> Highlight:
        """Delete a highlight; with `expected`, only if it is still as it was then (else
        Conflict)."""
        with self.batch():
            highlight = self.highlight(highlight_id)
            if expected is not None and _hl_state(highlight) != _hl_state(expected):
                self._refused("highlight", [highlight])
            self._conn.execute("DELETE FROM highlights WHERE id = ?", (highlight_id,))
        return highlight

    @staticmethod
    def _refused(what: str, found: Sequence[object]) -> NoReturn:
        """Why a change to one record was not made: it is gone, or it changed since it was
        read (in another window or program: another connection to the same file)."""
        if not found:
            raise NotFound(f"the {what} is no longer there (deleted in another window?)")
        raise Conflict(
            f"the {what} was changed in another window meanwhile; it now shows as it is there, "
            "and your change was not made."
        )

    def change_feed(self) -> None:
        """None: a file has no one to announce its changes (the window re-reads the project
        when it is activated after another window changed it)."""
        return None

    def iter_highlights(self, where: HighlightFilter = HighlightFilter()) -> Iterator[Highlight]:
        clauses, params = _highlight_clauses(where, "highlights")
        sql = f"SELECT {HL_COLUMNS} FROM highlights"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY document_id, start_pos, end_pos, id"
        needle = where.text.casefold()
        cursor = self._conn.execute(sql, params)
        while rows := cursor.fetchmany(4096):
            found: Iterator[Highlight] = map(Highlight._make, rows)
            if needle:
                found = (
                    h for h in found if needle in h.quote.casefold() or needle in h.note.casefold()
                )
            yield from found

    def highlight_rows(self) -> Iterator[HighlightRow]:
        """Every highlight placed in its text, without its texts (see highlight_texts), one at
        a time."""
        return self._conn.execute(
            "SELECT id, document_id, start_pos, end_pos, tag_id, annotator, created_at, rating_id"
            f" FROM highlights WHERE {PLACED}"
        )

    def highlight_texts(self, ids: Sequence[int] | None) -> dict[int, tuple[str, str]]:
        """{id: (quote, note)} of these highlights (of all, for None)."""
        if ids is None:
            rows = self._conn.execute("SELECT id, quote, note FROM highlights")
            return {i: (q, n) for i, q, n in rows}
        found: dict[int, tuple[str, str]] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT id, quote, note FROM highlights WHERE id IN ({marks})", chunk
            )
            found.update((i, (q, n)) for i, q, n in rows)
        return found

    def highlight_ids_by_uuid(self, uuids: Sequence[str]) -> dict[str, int]:
        """{uuid: id} of the highlights with these uuids (those that exist)."""
        found: dict[str, int] = {}
        for lo in range(0, len(uuids), 500):
            chunk = uuids[lo : lo + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT uuid, id FROM highlights WHERE uuid IN ({marks})", chunk
            )
            found.update(rows)
        return found

    def export_records(
        self,
        kind: str,
        fields: Sequence[str],
        where: HighlightFilter = HighlightFilter(),
        separator: bytes = b",\n",
    ) -> Iterator[bytes]:
        """See ProjectStore.export_records. SQLite's json_object() makes each record, in the
        order _EXPORT_ORDER gives; a document's text, when it is the last field, is read
        apart (_document_record)."""
        table, expressions = _EXPORTED[kind]
        text_apart = kind == "documents" and list(fields[-1:]) == ["text"]
        chosen = list(fields[:-1]) if text_apart else list(fields)
        try:
            pairs = ", ".join(f"'{name}', {expressions[name]}" for name in chosen)
        except KeyError as e:
            raise ValueError(f"{kind} have no exported field {e}") from None
        clauses: list[str] = []
        params: list[object] = []
        if kind == "documents" and where.document_ids:
            clauses.append(f"d.id IN ({', '.join('?' * len(where.document_ids))})")
            params.extend(where.document_ids)
        elif kind == "highlights":
            clauses, params = _highlight_clauses(where, "h", text=True)
        elif kind == "relations":
            selected, params = _highlight_clauses(where, "s", text=True)
            if selected:
                chosen_ids = f"SELECT s.id FROM highlights s WHERE {' AND '.join(selected)}"
                clauses = [f"l.from_id IN ({chosen_ids})", f"l.to_id IN ({chosen_ids})"]
                params = params + params
        elif kind == "done":
            for column, values in (
                ("m.document_id", where.document_ids),
                ("m.annotator", where.annotators),
            ):
                if values:
                    clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                    params.extend(values)
        extra = ", d.id" if text_apart else ""
        sql = f"SELECT CAST(json_object({pairs}) AS BLOB){extra} FROM {table}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        cursor = self._conn.execute(f"{sql} ORDER BY {_EXPORT_ORDER[kind]}", params)
        first = True
        while rows := cursor.fetchmany(1024):
            if text_apart:
                for head, document_id in rows:
                    if not first:
                        yield separator
                    first = False
                    yield from self._document_record(head, document_id)
            else:
                yield (b"" if first else separator) + separator.join(r[0] for r in rows)
                first = False

    _TEXT_PIECE = 1 << 20  # bytes of a document's text per piece of its export

    def _document_record(self, head: bytes, document_id: int) -> Iterator[bytes]:
        """A document's exported record with its text last, in pieces: the text is read a
        megabyte at a time (SQLite's incremental reading of a value) and escaped as
        json_quote() escapes, so that a long one is not held twice."""
        yield head[:-1] + (b',"text":"' if head != b"{}" else b'{"text":"')
        decoder = codecs.getincrementaldecoder("utf-8")()
        with self._conn.blobopen("documents", "text", document_id, readonly=True) as value:
            while piece := value.read(self._TEXT_PIECE):
                yield orjson.dumps(decoder.decode(piece))[1:-1]
        yield orjson.dumps(decoder.decode(b"", final=True))[1:-1] + b'"}'

    def highlight_places(self, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
        """{id: (document id, start, end)} of these highlights (those that exist and are placed
        in their text: an orphan has no place)."""
        found: dict[int, tuple[int, int, int]] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT id, document_id, start_pos, end_pos FROM highlights"
                f" WHERE id IN ({marks}) AND {PLACED}",
                chunk,
            )
            found.update((i, (d, s, e)) for i, d, s, e in rows)
        return found

    def highlight_ids_matching(self, text: str) -> set[int]:
        """Ids of placed highlights whose quote or note holds `text`, compared casefolded."""
        needle = text.casefold()
        rows = self._conn.execute(
            "SELECT id FROM highlights"
            " WHERE (instr(casefold(quote), ?) OR instr(casefold(note), ?))"
            f" AND {PLACED}",
            (needle, needle),
        )
        return {i for (i,) in rows}

    def set_highlight_places(
        self, highlights: Sequence[Highlight], expected: Sequence[Highlight] | None = None
    ) -> list[Highlight]:
        """Store where each highlight is: its offsets, quote, context, orphan mark and change
        time, by id (its other fields stay as stored). A highlight placed in its text must be
        on its quote there. Returns those that exist (another window may have deleted some),
        as stored. With `expected` (each as it was read), only if every one is still there
        and in the place it had then (else NotFound or Conflict, and nothing is stored)."""
        with self.batch():
            places: dict[int, tuple[object, ...]] = {}  # {id: place_state} of those there
            ids = [h.id for h in highlights]
            for lo in range(0, len(ids), 500):
                chunk = ids[lo : lo + 500]
                marks = ", ".join("?" * len(chunk))
                rows = self._conn.execute(
                    "SELECT id, start_pos, end_pos, quote, orphaned_version FROM highlights"
                    f" WHERE id IN ({marks})",
                    chunk,
                )
                places.update((i, tuple(place)) for i, *place in rows)
            if expected is not None:
                for seen in store_rules.expected_for(highlights, expected):
                    if places.get(seen.id) != store_rules.place_state(seen):
                        self._refused("highlight", self._select_by_ids([seen.id]))
            self._check_placements(highlights)
            placed = [h for h in highlights if h.id in places]
            self._conn.executemany(
                "UPDATE highlights SET start_pos = ?, end_pos = ?, quote = ?, prefix = ?,"
                " suffix = ?, orphaned_version = ?, updated_at = ? WHERE id = ?",
                [
                    (
                        h.start,
                        h.end,
                        h.quote,
                        h.prefix,
                        h.suffix,
                        h.orphaned_version,
                        h.updated_at,
                        h.id,
                    )
                    for h in placed
                ],
            )
            return self._select_by_ids([h.id for h in placed])

    def _select_by_ids(self, ids: Sequence[int]) -> list[Highlight]:
        """These highlights as stored, in the order of `ids` (those that exist)."""
        found: dict[int, Highlight] = {}
        for lo in range(0, len(ids), 500):
            chunk = list(ids[lo : lo + 500])
            marks = ", ".join("?" * len(chunk))
            found.update(
                (h.id, h) for h in self._select_highlights(f"WHERE id IN ({marks})", chunk)
            )
        return [found[i] for i in ids if i in found]


def _hl_state(h: Highlight) -> tuple[object, ...]:
    return (h.tag_id, h.note, h.rating_id, h.updated_at)


def _check_document(now: DocumentInfo, expected: DocumentInfo | None) -> None:
    """Refuse a change to a document's text made from a reading of another text of it."""
    if expected is not None and now.sha256 != expected.sha256:
        raise Conflict(
            f"“{now.title}” was updated in another window meanwhile; it now shows as it is "
            "there, and your change was not made."
        )


def _link_state(link: Link) -> tuple[object, ...]:
    return (link.type_id, link.note, link.updated_at)


def _highlight_clauses(
    where: HighlightFilter, alias: str, *, text: bool = False
) -> tuple[list[str], list[object]]:
    """SQL conditions on the highlights table (named `alias`) for the filter's documents, tags,
    annotators and orphans (and, with `text`, its text), with their parameters."""
    clauses: list[str] = []
    params: list[object] = []
    if where.orphaned is not None:
        placed = f"{alias}.{PLACED}"
        clauses.append(placed if not where.orphaned else f"NOT ({placed})")
    if text and where.text:
        needle = where.text.casefold()
        clauses.append(f"(instr(casefold({alias}.quote), ?) OR instr(casefold({alias}.note), ?))")
        params.extend((needle, needle))
    if where.document_ids:
        clauses.append(f"{alias}.document_id IN ({', '.join('?' * len(where.document_ids))})")
        params.extend(where.document_ids)
    if where.tag_names:
        clauses.append(
            f"{alias}.tag_id IN (SELECT id FROM tags WHERE name IN "
            f"({', '.join('?' * len(where.tag_names))}))"
        )
        params.extend(where.tag_names)
    if where.annotators:
        clauses.append(f"{alias}.annotator IN ({', '.join('?' * len(where.annotators))})")
        params.extend(where.annotators)
    return clauses, params


def _casefold(text: str | None) -> str | None:
    """SQL casefold(): Python's full Unicode case folding (SQLite's lower() is ASCII only)."""
    return None if text is None else text.casefold()
