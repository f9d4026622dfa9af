"""The project store in one SQLite file.

Durability: WAL journal with `synchronous=FULL`, so every committed transaction is on disk when
the call returns and survives a crash of the program or of the machine (WAL fsyncs at each
commit; about 0.3 ms here). Files that are not claimmark projects, are damaged, or come from a
newer claimmark are refused before anything is written to them.
"""

from __future__ import annotations

import getpass
import os
import re
import sqlite3
import stat
import uuid as uuidlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

from desktop.core import anchoring, backup, newfiles, schema
from desktop.core.errors import ClaimmarkError, NotFound, ProjectError
from desktop.core.model import (
    Document,
    DocumentInfo,
    Highlight,
    HighlightFilter,
    HighlightRow,
    NewDocument,
    Span,
    Tag,
    highlight_problem,
    note_problem,
    sha256_text,
    tag_name_problem,
)
from desktop.core.timeutil import utc_now

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")

_DOC_COLUMNS = (
    "id, title, author, outlet, published, source, source_offset, sha256, imported_at, length"
)
_HL_COLUMNS = (
    "id, uuid, document_id, start_pos, end_pos, tag_id, quote, prefix, suffix, note, annotator,"
    " created_at, updated_at"
)


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
    if user_version > schema.LATEST:
        raise ProjectError(
            f"{path}: this project was saved by a newer claimmark (schema version "
            f"{user_version}; this version knows up to {schema.LATEST}). Update claimmark to "
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
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 8,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1000,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 1_000_000,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 1,
}
_DBCONFIG = (  # (name, value): on Python 3.12 and later
    ("SQLITE_DBCONFIG_DEFENSIVE", True),
    ("SQLITE_DBCONFIG_TRUSTED_SCHEMA", False),
    ("SQLITE_DBCONFIG_ENABLE_TRIGGER", False),
    ("SQLITE_DBCONFIG_ENABLE_VIEW", False),
)

SchemaEntry = tuple[str, str, str, str]  # (type, name, table, SQL) of a row of sqlite_master


def _defend(conn: sqlite3.Connection) -> None:
    """SQLite's defensive settings, before the schema is read."""
    for name, value in _DBCONFIG:
        option = getattr(sqlite3, name, None)
        if option is not None and hasattr(conn, "setconfig"):
            conn.setconfig(option, value)
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


def _identity(name: str) -> tuple[int, int] | None:
    """(device, inode) of the file called `name`, or None when there is none."""
    try:
        info = os.stat(name)
    except OSError:
        return None
    return info.st_dev, info.st_ino


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


class SqliteStore:
    """A project in one SQLite file. Create one with `SqliteStore.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, location: str, read_only: bool) -> None:
        self._conn = conn
        self.location = location
        self.read_only = read_only
        self.annotator = default_annotator()
        self._depth = 0
        self._text_cache: tuple[int, str] | None = None
        # The project file and its journal files as they were when it opened: see _check_files.
        self._files: dict[str, tuple[int, int] | None] = {}
        if not read_only:
            self._files = {name: _identity(name) for name in _project_files(location)}

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
            raise ProjectError(
                f"{p}: the project file is damaged ({check[0][0]}); it was not changed. "
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
            now = _identity(name)
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

    # Documents ---------------------------------------------------------------------------

    @staticmethod
    def _doc_info(row: tuple) -> DocumentInfo:  # type: ignore[type-arg]
        return DocumentInfo(*row)

    def documents(self) -> list[DocumentInfo]:
        rows = self._conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY id")
        return [self._doc_info(r) for r in rows]

    def document(self, document_id: int) -> Document:
        row = self._conn.execute(
            f"SELECT {_DOC_COLUMNS}, text FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no document {document_id} in this project.")
        self._text_cache = (document_id, row[-1])
        return Document(self._doc_info(row[:-1]), row[-1])

    def _text(self, document_id: int) -> str:
        if self._text_cache is not None and self._text_cache[0] == document_id:
            return self._text_cache[1]
        return self.document(document_id).text

    def document_by_sha256(self, sha256: str) -> DocumentInfo | None:
        row = self._conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return None if row is None else self._doc_info(row)

    def add_documents(self, documents: Sequence[NewDocument]) -> list[DocumentInfo]:
        added: list[DocumentInfo] = []
        with self.batch():
            for doc in documents:
                digest = sha256_text(doc.text)
                if self.document_by_sha256(digest) is not None:
                    continue
                self._conn.execute(
                    "INSERT INTO documents (title, author, outlet, published, source,"
                    " source_offset, sha256, text, length, imported_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                " source_offset, sha256, text, length, imported_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ),
            )
            self.insert_highlights(highlights, keep_ids=True)

    # Tags --------------------------------------------------------------------------------

    def tags(self) -> list[Tag]:
        rows = self._conn.execute(
            "SELECT id, name, colour, key, position FROM tags ORDER BY position, id"
        )
        return [Tag(*r) for r in rows]

    def tag(self, tag_id: int) -> Tag:
        row = self._conn.execute(
            "SELECT id, name, colour, key, position FROM tags WHERE id = ?", (tag_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no tag {tag_id} in this project.")
        return Tag(*row)

    def _check_tag_fields(
        self, tag_id: int | None, name: str | None, colour: str | None, key: str | None
    ) -> None:
        others = [t for t in self.tags() if t.id != tag_id]
        if name is not None:
            _refuse(tag_name_problem(name))
            if any(t.name.casefold() == name.casefold() for t in others):
                raise ClaimmarkError(f"There is already a tag named “{name}”.")
        if colour is not None and not COLOUR_RE.match(colour):
            raise ClaimmarkError(f"“{colour}” is not a colour of the form #rrggbb.")
        if key:
            if len(key) != 1 or key.isspace():
                raise ClaimmarkError("A tag's key is a single character.")
            clash = next((t for t in others if t.key.casefold() == key.casefold()), None)
            if clash is not None:
                raise ClaimmarkError(f"The key {key} is already used by the tag “{clash.name}”.")

    def add_tag(self, name: str, colour: str, key: str = "") -> Tag:
        self._check_tag_fields(None, name, colour, key)
        with self.batch():
            position = self._conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM tags"
            ).fetchone()[0]
            cur = self._conn.execute(
                "INSERT INTO tags (name, colour, key, position) VALUES (?, ?, ?, ?)",
                (name, colour.upper(), key, position),
            )
        assert cur.lastrowid is not None
        return self.tag(cur.lastrowid)

    def update_tag(
        self,
        tag_id: int,
        *,
        name: str | None = None,
        colour: str | None = None,
        key: str | None = None,
    ) -> Tag:
        old = self.tag(tag_id)
        self._check_tag_fields(tag_id, name, colour, key)
        with self.batch():
            self._conn.execute(
                "UPDATE tags SET name = ?, colour = ?, key = ? WHERE id = ?",
                (
                    old.name if name is None else name,
                    old.colour if colour is None else colour.upper(),
                    old.key if key is None else key,
                    tag_id,
                ),
            )
        return self.tag(tag_id)

    def set_tag_order(self, tag_ids: Sequence[int]) -> list[Tag]:
        if sorted(tag_ids) != sorted(t.id for t in self.tags()):
            raise ClaimmarkError("The new tag order must list every tag once.")
        with self.batch():
            self._conn.executemany(
                "UPDATE tags SET position = ? WHERE id = ?",
                [(position, tag_id) for position, tag_id in enumerate(tag_ids)],
            )
        return self.tags()

    def delete_tag(self, tag_id: int) -> tuple[Tag, list[Highlight]]:
        tag = self.tag(tag_id)
        with self.batch():
            removed = self._select_highlights("WHERE tag_id = ?", (tag_id,))
            self._conn.execute("DELETE FROM highlights WHERE tag_id = ?", (tag_id,))
            self._conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
        return tag, removed

    def restore_tag(self, tag: Tag, highlights: Sequence[Highlight]) -> None:
        self._check_tag_fields(None, tag.name, tag.colour, tag.key)
        with self.batch():
            self._conn.execute(
                "INSERT INTO tags (id, name, colour, key, position) VALUES (?, ?, ?, ?, ?)",
                (tag.id, tag.name, tag.colour, tag.key, tag.position),
            )
            self.insert_highlights(highlights, keep_ids=True)

    def tag_usage(self, tag_id: int) -> int:
        return int(
            self._conn.execute(
                "SELECT count(*) FROM highlights WHERE tag_id = ?", (tag_id,)
            ).fetchone()[0]
        )

    # Highlights --------------------------------------------------------------------------

    def add_highlight(
        self, document_id: int, start: int, end: int, tag_id: int, note: str = ""
    ) -> Highlight:
        _refuse(note_problem(note))
        text = self._text(document_id)
        if not (0 <= start < end <= len(text)):
            raise ClaimmarkError(
                f"The span {start}-{end} does not fit document {document_id} "
                f"({len(text)} characters)."
            )
        prefix, suffix = anchoring.context(text, start, end)
        now = utc_now()
        highlight = Highlight(
            id=0,
            uuid=str(uuidlib.uuid4()),
            document_id=document_id,
            start=start,
            end=end,
            tag_id=tag_id,
            quote=text[start:end],
            prefix=prefix,
            suffix=suffix,
            note=note,
            annotator=self.annotator,
            created_at=now,
            updated_at=now,
        )
        with self.batch():
            cur = self._conn.execute(
                f"INSERT INTO highlights ({_HL_COLUMNS}) VALUES (NULL{', ?' * 12})",
                highlight[1:],
            )
        assert cur.lastrowid is not None
        return highlight._replace(id=cur.lastrowid)  # as stored: no need to read it back

    def insert_highlights(self, highlights: Sequence[Highlight], *, keep_ids: bool) -> int:
        for h in highlights:
            _refuse(highlight_problem(h.uuid, h.note, h.annotator, h.created_at, h.updated_at))
        # A Highlight is a tuple in column order already.
        rows: Sequence[Sequence[object]] = highlights
        if not keep_ids:
            rows = [(None, *h[1:]) for h in highlights]
        with self.batch():
            before = self._conn.total_changes
            self._conn.executemany(
                f"INSERT INTO highlights ({_HL_COLUMNS}) VALUES (?{', ?' * 12})"
                " ON CONFLICT (uuid) DO NOTHING",
                rows,
            )
            return self._conn.total_changes - before

    def _update_highlight(self, highlight_id: int, column: str, value: object) -> Highlight:
        self.highlight(highlight_id)
        with self.batch():
            self._conn.execute(
                f"UPDATE highlights SET {column} = ?, updated_at = ? WHERE id = ?",
                (value, utc_now(), highlight_id),
            )
        return self.highlight(highlight_id)

    def retag_highlight(self, highlight_id: int, tag_id: int) -> Highlight:
        self.tag(tag_id)
        return self._update_highlight(highlight_id, "tag_id", tag_id)

    def set_note(self, highlight_id: int, note: str) -> Highlight:
        _refuse(note_problem(note))
        return self._update_highlight(highlight_id, "note", note)

    def replace_highlight(self, highlight: Highlight, field: str) -> None:
        """Put back one field ("tag_id" or "note") of a highlight, and its update time, as
        `highlight` has them (undo and redo of a retag or a note)."""
        column = {"tag_id": "tag_id", "note": "note"}[field]
        with self.batch():
            cur = self._conn.execute(
                f"UPDATE highlights SET {column} = ?, updated_at = ? WHERE id = ?",
                (getattr(highlight, field), highlight.updated_at, highlight.id),
            )
        if cur.rowcount == 0:
            raise NotFound("the highlight is no longer there (deleted in another window?)")

    def delete_highlight(self, highlight_id: int) -> Highlight:
        highlight = self.highlight(highlight_id)
        with self.batch():
            self._conn.execute("DELETE FROM highlights WHERE id = ?", (highlight_id,))
        return highlight

    def highlight(self, highlight_id: int) -> Highlight:
        found = self._select_highlights("WHERE id = ?", (highlight_id,))
        if not found:
            raise NotFound(f"There is no highlight {highlight_id} (it may have been deleted).")
        return found[0]

    def _select_highlights(self, where: str, params: Sequence[object]) -> list[Highlight]:
        rows = self._conn.execute(f"SELECT {_HL_COLUMNS} FROM highlights {where}", params)
        return list(map(Highlight._make, rows))

    def iter_highlights(self, where: HighlightFilter = HighlightFilter()) -> Iterator[Highlight]:
        clauses: list[str] = []
        params: list[object] = []
        if where.document_ids:
            clauses.append(f"document_id IN ({', '.join('?' * len(where.document_ids))})")
            params.extend(where.document_ids)
        if where.tag_names:
            clauses.append(
                "tag_id IN (SELECT id FROM tags WHERE name IN "
                f"({', '.join('?' * len(where.tag_names))}))"
            )
            params.extend(where.tag_names)
        if where.annotators:
            clauses.append(f"annotator IN ({', '.join('?' * len(where.annotators))})")
            params.extend(where.annotators)
        sql = f"SELECT {_HL_COLUMNS} FROM highlights"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY document_id, start_pos, end_pos, id"
        needle = where.text.casefold()
        cursor = self._conn.execute(sql, params)
        while rows := cursor.fetchmany(4096):
            found = map(Highlight._make, rows)
            if needle:
                found = (
                    h for h in found if needle in h.quote.casefold() or needle in h.note.casefold()
                )
            yield from found

    def highlights(self, where: HighlightFilter = HighlightFilter()) -> list[Highlight]:
        return list(self.iter_highlights(where))

    def spans(self, document_id: int) -> list[Span]:
        rows: list[Span] = self._conn.execute(
            "SELECT start_pos, end_pos, id, tag_id FROM highlights WHERE document_id = ?"
            " ORDER BY start_pos, end_pos, id",
            (document_id,),
        ).fetchall()
        return rows

    def highlight_rows(self) -> Iterator[HighlightRow]:
        """Every highlight, without its texts (see highlight_texts), one at a time."""
        return self._conn.execute(
            "SELECT id, document_id, start_pos, end_pos, tag_id, annotator, created_at"
            " FROM highlights"
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

    def highlight_ids_matching(self, text: str) -> set[int]:
        """Ids of highlights whose quote or note holds `text`, compared casefolded."""
        needle = text.casefold()
        rows = self._conn.execute(
            "SELECT id FROM highlights WHERE instr(casefold(quote), ?) OR instr(casefold(note), ?)",
            (needle, needle),
        )
        return {i for (i,) in rows}

    def highlight_counts(self) -> dict[int, dict[int, int]]:
        counts: dict[int, dict[int, int]] = {}
        rows = self._conn.execute(
            "SELECT document_id, tag_id, count(*) FROM highlights GROUP BY document_id, tag_id"
        )
        for document_id, tag_id, n in rows:
            counts.setdefault(document_id, {})[tag_id] = n
        return counts


def _refuse(problem: str | None) -> None:
    """Raise the problem a model check found, as a sentence."""
    if problem:
        raise ClaimmarkError(f"{problem[:1].upper()}{problem[1:]}.")


def _casefold(text: object) -> object:
    """SQL casefold(): Python's full Unicode case folding (SQLite's lower() is ASCII only)."""
    return text.casefold() if isinstance(text, str) else text


def open_project(
    path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
) -> SqliteStore:
    """Open the project at `path` (see `SqliteStore.open`)."""
    return SqliteStore.open(path, create=create, read_only=read_only)
