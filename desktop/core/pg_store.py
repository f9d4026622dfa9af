"""The project store on a PostgreSQL server (team mode), with psycopg 3.

A location is any libpq connection string: `postgresql://USER@HOST/DBNAME`, `service=NAME`,
`host=... dbname=...`. Passwords, TLS and the rest come from libpq (`.pgpass`, the service file,
PG* variables) and are never stored by claimmark.

The store behaves as the SQLite one does (one transaction per change, the same refusals, the
same records). What a server adds:
- every committed change is announced (NOTIFY, from triggers: pg_schema.py); `change_feed()`
  listens on a connection of its own and turns the announcements into change records;
- a change to a highlight or link can name the state it was made from (`expected`); when
  someone else changed or deleted it since, nothing is written and `Conflict` or `NotFound`
  says who;
- a lost connection refuses every call with `ConnectionLost` until `reconnect()`.
"""

from __future__ import annotations

import getpass
import json
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn, cast

import orjson
import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from desktop.core import pg_schema, schema, store_rules
from desktop.core.changes import EVERYTHING, Changes, highlights_changed
from desktop.core.errors import ClaimmarkError, Conflict, ConnectionLost, NotFound, ProjectError
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
    DOC_COLUMNS,
    DOC_FIELDS,
    HL_COLUMNS,
    LINK_COLUMNS,
    PLACED,
    NamedKind,
    SqlStore,
    column_value,
    doc_info,
)
from desktop.core.timeutil import utc_now

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
# More notifications than this at one read (a burst: an import, a bulk change) are announced as
# "everything changed": the window re-reads once rather than applying each.
MAX_RECORDS = 50
# One lock id for creating and upgrading the schema ("CLMK"), so two first openings of an empty
# database do not both create it.
SCHEMA_LOCK = 0x434C4D4B

# A document's columns are its records' fields, by name: a field added to DocumentInfo and
# NewDocument with a column of the same name (a migration in schema.py) is stored and read here
# without more ado.
_NEW_DOC_FIELDS = tuple(f.name for f in fields(NewDocument))
# A document version's columns: its id, then its document's as DocumentInfo names them (the
# document's id is `document_id` here), then its text and when it was replaced.
_VERSION_INFO = ", ".join("document_id" if name == "id" else name for name in DOC_FIELDS)
_VERSION_COLUMNS = f"id, {_VERSION_INFO}, text, replaced_at"
_LINK_MARKS = ", ".join(["%s"] * 9)
# What a change to a highlight is checked against: the fields a person changes, and the time.
_HL_STATE = "tag_id = %s AND note = %s AND rating_id IS NOT DISTINCT FROM %s AND updated_at = %s"
_HL_STATE_COLUMNS = "tag_id, note, rating_id, updated_at"
_LINK_STATE = "type_id = %s AND note = %s AND updated_at = %s"
_LINK_STATE_COLUMNS = "type_id, note, updated_at"


def describe_location(location: str) -> str:
    """A server location for people, without any password: `claimmark on db.example.org`."""
    try:
        params = conninfo_to_dict(location)
    except psycopg.ProgrammingError:
        return "a database server"
    if "service" in params and "dbname" not in params:
        return f"service {params['service']}"
    name = params.get("dbname") or params.get("user") or "database"
    host = params.get("host") or "localhost"
    if str(host).startswith("/"):
        host = "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    return f"{name} on {host}{port}"


def server_setup_command(location: str, login: str = "LOGIN") -> str:
    """The command that sets the project at `location` up for a team, with `login` among its
    annotators, for people: as its owner, so with the owner's login, never with a password."""
    try:
        params = conninfo_to_dict(location)
    except psycopg.ProgrammingError:
        params = {}
    if params.get("service") and not params.get("dbname"):
        where = f"service={params['service']}"
    elif params.get("dbname"):
        host = str(params.get("host") or "localhost")
        host = "localhost" if host.startswith("/") else host
        port = f":{params['port']}" if params.get("port") else ""
        where = f"postgresql://OWNER@{host}{port}/{params['dbname']}"
    else:
        where = "CONNINFO"
    return f"claimmark server-setup --db {where} --annotator {login}"


# A statement that only reads: a refusal of one is a refusal to read the project. A SELECT that
# locks rows (FOR UPDATE) or moves a sequence (setval) writes too.
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_WRITES_TOO = re.compile(
    r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|SHARE|KEY\s+SHARE)\b|\b(setval|nextval)\s*\(",
    re.IGNORECASE,
)


@lru_cache(maxsize=512)
def _only_reads(sql: str) -> bool:
    return _SELECT.match(sql) is not None and _WRITES_TOO.search(sql) is None


def _state(h: Highlight) -> tuple[object, ...]:
    return (h.tag_id, h.note, h.rating_id, h.updated_at)


def _hl_state(h: Highlight | None) -> tuple[object, ...] | None:
    return None if h is None else _state(h)


def _link_state(link: Link | None) -> tuple[object, ...] | None:
    return None if link is None else (link.type_id, link.note, link.updated_at)


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _with_id(columns: str, record: Highlight | Link) -> tuple[str, tuple[object, ...]]:
    """The columns and values to insert a record: without the id when it has none yet (0), so
    that the server gives one."""
    if record.id:
        return columns, tuple(record)
    return columns.removeprefix("id, "), tuple(record[1:])


class PgStore(SqlStore):
    """A project in a PostgreSQL database. Create one with `PgStore.open(location)`."""

    def __init__(self, location: str, conn: psycopg.Connection[Any], read_only: bool) -> None:
        self.location = location
        self.read_only = read_only
        self._conn = conn
        self._depth = 0
        self._text_cache: tuple[int, str, str] | None = None  # (document id, sha256, text)
        self._lost = False
        self._foreign_commits = 0  # notifications from other connections (data_version)
        self._listening = False
        self.last_snapshot: str | None = None  # of the last snapshot() (see PgChangeFeed)
        self.annotator = self._login_name()
        self.created = False  # whether open() made the schema (a new project)
        self.upgraded_from: int | None = None  # the schema version open() upgraded, if it did
        self.schema_version = pg_schema.LATEST  # once open (older only when open read-only)

    # Opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str, *, create: bool = True, read_only: bool = False) -> PgStore:
        """Connect to the project at `location`; a database without the schema gets it (unless
        `create` is false). Raise ProjectError with the reason when it cannot be used."""
        conn = cls._connect(location, read_only)
        store = cls(location, conn, read_only)
        try:
            store._check_and_migrate(create)
        except BaseException:
            conn.close()
            raise
        return store

    @staticmethod
    def _connect(
        location: str, read_only: bool, *, listen: bool = False
    ) -> psycopg.Connection[Any]:
        """A new connection, read-only if asked, listening to the project's announcements if
        asked. A server that goes away meanwhile (restarting) is a ProjectError too."""
        try:
            conn = psycopg.connect(
                location,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name="claimmark",
            )
        except psycopg.ProgrammingError as e:
            raise ProjectError(
                f"{describe_location(location)}: not a connection string libpq understands ({e})."
            ) from None
        except psycopg.OperationalError as e:
            raise _cannot_connect(location, e) from None
        try:
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
            if listen:
                conn.execute(f"LISTEN {pg_schema.CHANNEL}".encode())
        except psycopg.OperationalError as e:
            conn.close()
            raise _cannot_connect(location, e) from None
        return conn

    def _login_name(self) -> str:
        try:
            return str(self._conn.info.user) or getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    def _check_and_migrate(self, create: bool) -> None:
        where = describe_location(self.location)
        version = self._schema_version()
        if version is None:
            tables = self._one("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            if tables:
                raise ProjectError(
                    f"{where}: the database holds tables of another program, not a claimmark "
                    "project; give an empty database or a claimmark one. Nothing was changed."
                )
            if not create or self.read_only:
                raise ProjectError(f"{where}: the database holds no claimmark project.")
        elif version > pg_schema.LATEST:
            raise ProjectError(
                f"{where}: this project was saved by a newer claimmark (schema version "
                f"{version}; this version knows up to {pg_schema.LATEST}). Update claimmark to "
                "open it; nothing was changed."
            )
        if version == pg_schema.LATEST or self.read_only:
            self.schema_version = version or pg_schema.LATEST
            return
        self._migrate()

    def _schema_version(self) -> int | None:
        exists = self._one("SELECT to_regclass('claimmark_schema') IS NOT NULL")
        if not exists:
            return None
        row = self._x("SELECT max(version) FROM claimmark_schema").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def _migrate(self) -> None:
        """Create or upgrade the schema in one transaction (DDL is transactional here), under a
        lock, so that two first openings do not both do it."""
        try:
            with self.batch():
                self._x("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                version = self._schema_version() or 0
                upgraded = version >= pg_schema.BASE
                if upgraded and version < pg_schema.LATEST:
                    self.upgraded_from = version
                for number in sorted(n for n in pg_schema.MIGRATIONS if n > version):
                    if number == pg_schema.BASE or version >= pg_schema.BASE:
                        self._apply_migration(number)
                    version = number
                if upgraded and self.set_up_for_team:
                    self._x(pg_schema.POLICIES_SQL)  # new tables get the team's rules too
        except ClaimmarkError as e:
            raise ProjectError(
                f"{describe_location(self.location)}: cannot set up the project here ({e}). "
                "The database's owner opens it once first (or runs claimmark server-setup)."
            ) from None

    def _apply_migration(self, number: int) -> None:
        self._x(pg_schema.MIGRATIONS[number])
        if number == pg_schema.BASE:
            self.created = True
            self._x(
                "INSERT INTO claimmark_schema (version, created_at) VALUES (%s, %s)",
                (number, utc_now()),
            )
            self._many(
                "INSERT INTO tags (name, colour, key, position) VALUES (%s, %s, %s, %s)",
                [(n, c, k, p) for p, (n, c, k) in enumerate(schema.DEFAULT_TAGS)],
            )
            self._many(
                "INSERT INTO relation_types (name, colour, key, position) VALUES (%s, %s, %s, %s)",
                [(n, c, k, p) for p, (n, c, k) in enumerate(schema.DEFAULT_RELATION_TYPES)],
            )
            self._many(
                "INSERT INTO ratings (name, value, colour, key) VALUES (%s, %s, %s, %s)",
                schema.DEFAULT_RATINGS,
            )
        else:
            self._x("UPDATE claimmark_schema SET version = %s", (number,))

    def how_opened(self, *, seeded: bool = False) -> str:
        """What opening did, for people: created the project (`seeded`: the seed articles
        were added to it), upgraded it, or found it as it was."""
        version = f"schema version {self.schema_version}"
        if self.created:
            seeds = ", with the seed articles" if seeded else ""
            return f"{self.name}: created the project ({version}{seeds})"
        if self.upgraded_from is not None:
            return f"{self.name}: found the project ({version}, upgraded from {self.upgraded_from})"
        return f"{self.name}: found the project ({version})"

    @property
    def set_up_for_team(self) -> bool:
        """Whether the team's roles and rules are on this project (claimmark server-setup):
        without them, only its owner may read it."""
        return bool(self._one(pg_schema.TEAM_SET_UP_SQL))

    def set_up_team(
        self, annotators: Sequence[str] = (), adjudicators: Sequence[str] = ()
    ) -> list[str]:
        """Create the team's roles and row-level security on this project, as its owner; grant
        the roles to these logins, creating those that do not exist yet (without a password:
        set one with psql's \\password, or use the server's other ways of signing in). Returns
        what was done, for people."""
        done: list[str] = []
        with self.batch():
            self._x(pg_schema.ROLES_SQL)
            done.append(
                f"roles {pg_schema.ANNOTATOR_ROLE} and {pg_schema.ADJUDICATOR_ROLE} with "
                "row-level security on highlights, links and done marks"
            )
            for names, role in (
                (annotators, pg_schema.ANNOTATOR_ROLE),
                (adjudicators, pg_schema.ADJUDICATOR_ROLE),
            ):
                for name in names:
                    exists = self._x(
                        "SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)
                    ).fetchone()
                    login = sql.Identifier(name).as_string(self._conn)
                    if exists is None:
                        self._x(f"CREATE ROLE {login} LOGIN")
                        done.append(f"created the login {name} (no password yet)")
                    self._x(f"GRANT {role} TO {login}")
                    done.append(f"{name} is a member of {role}")
        return done

    def close(self) -> None:
        self._conn.close()

    @property
    def name(self) -> str:
        """The project's name for people: the database and its server."""
        return describe_location(self.location)

    # The connection ----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return not self._lost and not self._conn.closed and not self._conn.broken

    @property
    def backend_pid(self) -> int:
        return int(self._conn.info.backend_pid)

    def reconnect(self) -> None:
        """Open a new connection after the old one was lost (raises ProjectError if the server
        is still away). A transaction in progress was lost with the old connection."""
        conn = self._connect(self.location, self.read_only)
        old, self._conn = self._conn, conn  # unused until _lost is cleared, last
        old.close()
        self._depth = 0
        self._text_cache = None
        if self._listening:
            self._listen()
        self._lost = False

    def _lose(self, e: BaseException) -> NoReturn:
        if not self._lost:  # logged once, not at every refusal until it is back
            log.warning("lost the connection to %s: %s", self.name, e)
        self._lost = True
        raise ConnectionLost(
            f"{self.name}: the connection to the server is lost; nothing more is saved until "
            "claimmark has reconnected (it tries by itself)."
        ) from None

    def _x(
        self, sql: str, params: Sequence[object] | None = None, *, integrity: bool = False
    ) -> psycopg.Cursor[Any]:
        """Run one statement, turning the server's refusals into messages for people (an
        integrity error is left to the caller when `integrity` is true)."""
        with self._errors(integrity=integrity, reading=_only_reads(sql)):
            return self._conn.execute(sql, params)

    def _run(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        """Run one of the statements both stores share (`?` placeholders), as `_x` runs any."""
        return self._x(_pyformat(sql), params)

    def _one(self, sql: str, params: Sequence[object] | None = None, **kw: bool) -> Any:
        """The first column of the first row a statement returns."""
        row = self._x(sql, params, **kw).fetchone()
        if row is None:
            raise ProjectError(f"{self.name}: the server returned nothing for a query.")
        return row[0]

    def _many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement for each of `rows`."""
        with self._errors(), self._conn.cursor() as cur:
            cur.executemany(sql, rows)

    @contextmanager
    def _errors(self, *, integrity: bool = False, reading: bool = False) -> Iterator[None]:
        """Turn the server's refusals into messages for people. A refused read (`reading`)
        means that this login may not read the project at all: it is not set up for it."""
        if self._lost:
            self._lose(RuntimeError("connection marked lost"))
        try:
            yield
        except UnicodeEncodeError:  # a lone surrogate: no file, and no export, can hold it
            raise ClaimmarkError(
                "Text that is not valid Unicode (a lone surrogate) cannot be saved."
            ) from None
        except psycopg.IntegrityError as e:
            if integrity:
                raise
            raise ClaimmarkError(_describe_integrity(e)) from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as e:
            if self._conn.broken or self._conn.closed:
                self._lose(e)
            raise ProjectError(f"{self.name}: {_first_line(e)}") from None
        except pg_errors.InsufficientPrivilege as e:
            if reading:
                login = self._login_name()
                raise ProjectError(
                    f"{self.name}: {login} may not read this project: it is not set up for a "
                    f"team, or not for {login} ({_first_line(e)}). Its owner sets it up with "
                    f"{server_setup_command(self.location, login)} (or --adjudicator {login}); "
                    "nothing was changed."
                ) from None
            raise ClaimmarkError(
                f"the server does not let {self._login_name()} make this change: annotators "
                "change only their own highlights and links, and tags, link types, the "
                "rating scale and new versions of documents are the adjudicator's "
                f"({_first_line(e)})."
            ) from None
        except pg_errors.ReadOnlySqlTransaction:
            raise ProjectError(f"{self.name}: the project is open read-only.") from None
        except psycopg.Error as e:
            raise ProjectError(f"{self.name}: the server refused ({_first_line(e)}).") from None

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
            raise ProjectError(f"{self.name}: the project is open read-only.")
        self._x("BEGIN")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self._x("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            self._depth = 0

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make every read inside the block see one state (a repeatable-read transaction); its
        snapshot is kept in `last_snapshot`."""
        if self._depth:
            yield
            return
        self._x("BEGIN ISOLATION LEVEL REPEATABLE READ")
        self._depth = 1
        try:
            self.last_snapshot = str(self._one("SELECT pg_current_snapshot()"))
            yield
        finally:
            self._depth = 0
            if not self._lost and not self._conn.broken:
                try:
                    self._conn.execute(b"COMMIT")
                except psycopg.Error:
                    log.warning("could not end a read transaction", exc_info=True)

    def _rollback(self) -> None:
        if self._lost or self._conn.broken or self._conn.closed:
            return
        try:
            self._conn.execute(b"ROLLBACK")
        except psycopg.Error:
            log.warning("rollback failed", exc_info=True)

    def data_version(self) -> int:
        """How many commits of other connections this one has been told of."""
        if not self._listening:
            self._listen()
        self._x("SELECT 1")  # delivers what the server has announced meanwhile
        return self._foreign_commits

    def _listen(self) -> None:
        conn = self._conn
        own = self.backend_pid

        def count(notify: psycopg.Notify) -> None:
            if notify.pid != own:
                self._foreign_commits += 1

        conn.add_notify_handler(count)
        try:
            conn.execute(f"LISTEN {pg_schema.CHANNEL}")
        except psycopg.OperationalError as e:
            self._lose(e)
        self._listening = True

    def change_feed(self) -> PgChangeFeed:
        """Other connections' changes as they commit, on a connection of their own."""
        return PgChangeFeed(self)

    # Backups: the server's own (pg_dump), not claimmark's ------------------------------------

    def make_backup(self) -> Path:
        raise ProjectError(
            f"{self.name}: a project on a server is backed up on the server (pg_dump), or "
            "copied to a file with claimmark copy."
        )

    def backups(self) -> list[BackupInfo]:
        return []

    def changed_since_backup(self) -> bool:
        return False  # nothing for the window to back up

    # Documents ---------------------------------------------------------------------------

    def set_document_details(
        self, document_id: int, title: str, author: str, outlet: str, published: str, url: str
    ) -> DocumentInfo:
        """A document's title, author, outlet, date and address (its text stays as it is)."""
        check_document_details(title, published)
        with self.batch():
            cur = self._x(
                "UPDATE documents SET title = %s, author = %s, outlet = %s, published = %s,"
                " url = %s WHERE id = %s",
                (title, author, outlet, published, url, document_id),
            )
            if cur.rowcount == 0:
                raise NotFound(
                    f"There is no document {document_id} in this project (or it is not yours "
                    "to change)."
                )
        return self.document(document_id).info

    def add_documents(self, documents: Sequence[NewDocument]) -> list[DocumentInfo]:
        added: list[DocumentInfo] = []
        with self.batch():
            for doc in documents:
                digest = sha256_text(doc.text)
                _check_text(doc.text, doc.title)
                values = [column_value(name, getattr(doc, name)) for name in _NEW_DOC_FIELDS]
                row = self._x(
                    f"INSERT INTO documents ({', '.join(_NEW_DOC_FIELDS)}, sha256, length,"
                    f" imported_at) VALUES ({_marks(len(values) + 3)})"
                    f" ON CONFLICT (sha256) DO NOTHING RETURNING {DOC_COLUMNS}",
                    (*values, digest, len(doc.text), utc_now()),
                ).fetchone()
                if row is not None:
                    added.append(doc_info(row))
        return added

    def delete_document(self, document_id: int) -> tuple[Document, list[Highlight]]:
        doc = self.document(document_id)
        with self.batch():
            removed = self._select_highlights("WHERE document_id = ?", (document_id,))
            self._x("DELETE FROM documents WHERE id = %s", (document_id,))
        self._text_cache = None
        return doc, removed

    def restore_document(self, document: Document, highlights: Sequence[Highlight]) -> None:
        info = document.info
        if self.document_by_sha256(info.sha256) is not None:
            raise ClaimmarkError(f"“{info.title}” is in the project again already (imported?).")
        with self.batch():
            values = [column_value(name, getattr(info, name)) for name in DOC_FIELDS]
            self._x(
                f"INSERT INTO documents ({DOC_COLUMNS}, text) VALUES ({_marks(len(values) + 1)})",
                (*values, document.text),
            )
            self._keep_ids_ahead("documents")
            self.insert_highlights(highlights, keep_ids=True)

    # Versions of a document ---------------------------------------------------------------

    def _lock_document(self, document_id: int, expected: DocumentInfo | None) -> Document:
        """The document, its row locked until the transaction ends (a teammate's update of it
        waits, then finds the text changed); Conflict if its text is not `expected`'s."""
        row = self._x(
            f"SELECT {DOC_COLUMNS}, text FROM documents WHERE id = %s FOR NO KEY UPDATE",
            (document_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no document {document_id} in this project.")
        document = Document(doc_info(row[:-1]), row[-1])
        if expected is not None and document.info.sha256 != expected.sha256:
            raise Conflict(
                f"“{document.title}” was updated by someone else meanwhile; it now shows as "
                "they left it, and your change was not made."
            )
        return document

    def _set_document(
        self,
        document_id: int,
        metadata: DocumentInfo | NewDocument,
        text: str,
        imported_at: str,
    ) -> None:
        """Give a document this text, and the title, source and the rest of `metadata` (a
        version's or a new one's)."""
        names = [n for n in _NEW_DOC_FIELDS if n != "text"]
        values = [column_value(n, getattr(metadata, n)) for n in names]
        try:
            self._x(
                f"UPDATE documents SET {', '.join(f'{n} = %s' for n in names)}, text = %s,"
                " sha256 = %s, length = %s, imported_at = %s WHERE id = %s",
                (*values, text, sha256_text(text), len(text), imported_at, document_id),
                integrity=True,
            )
        except pg_errors.UniqueViolation:
            raise ClaimmarkError(
                "this text was imported by someone else meanwhile, as another document."
            ) from None
        self._text_cache = None

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
        _check_text(document.text, document.title)
        when = replaced_at or utc_now()
        with self.batch():
            old = self._lock_document(document_id, expected)
            self._check_new_text(old, digest)
            version_id = self._insert_version(None, old, when)
            self._set_document(document_id, document, document.text, when)
        return DocumentVersion(version_id, old, when)

    def restore_version(
        self, version: DocumentVersion, expected: DocumentInfo | None = None
    ) -> None:
        """Put a document back to one of its versions, text and metadata; that version is no
        longer kept as one (the undo of update_document). With `expected`, only if its text is
        still the one `expected` had (else Conflict)."""
        info = version.document.info
        with self.batch():
            self._lock_document(info.id, expected)
            deleted = self._x(
                "DELETE FROM document_versions WHERE id = %s AND document_id = %s",
                (version.id, info.id),
            ).rowcount
            if deleted == 0:
                raise NotFound(
                    f"the earlier version of “{info.title}” is no longer there "
                    "(deleted by someone else?)"
                )
            self._check_earlier_text(info)
            self._set_document(info.id, info, version.document.text, info.imported_at)

    def document_versions(self, document_id: int) -> list[DocumentVersion]:
        """A document's earlier versions, with their texts, oldest first."""
        rows = self._x(
            f"SELECT {_VERSION_COLUMNS} FROM document_versions WHERE document_id = %s ORDER BY id",
            (document_id,),
        )
        return [
            DocumentVersion(row[0], Document(doc_info(row[1:-2]), row[-2]), row[-1]) for row in rows
        ]

    def restore_document_versions(self, versions: Sequence[DocumentVersion]) -> None:
        """Put back versions with their ids (the undo of deleting their document)."""
        with self.batch():
            for version in versions:
                self._insert_version(version.id, version.document, version.replaced_at)
            if versions:
                self._keep_ids_ahead("document_versions")

    def _insert_version(self, version_id: int | None, document: Document, replaced_at: str) -> int:
        info = document.info
        values = [column_value(name, getattr(info, name)) for name in DOC_FIELDS]
        columns = f"{_VERSION_INFO}, text, replaced_at"
        params: tuple[object, ...] = (*values, document.text, replaced_at)
        if version_id is not None:
            columns, params = f"id, {columns}", (version_id, *params)
        return int(
            self._one(
                f"INSERT INTO document_versions ({columns}) VALUES ({_marks(len(params))})"
                " RETURNING id",
                params,
            )
        )

    def _keep_ids_ahead(self, table: str) -> None:
        """After rows were stored with ids of their own (a copy, an undo), make sure the ids
        given out next are beyond them."""
        self._x(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), m)"
            f" FROM (SELECT max(id) AS m FROM {table}) AS t,"
            f" {table}_id_seq AS s WHERE m > s.last_value OR (m = s.last_value AND NOT s.is_called)"
        )

    # Tags and link types -----------------------------------------------------------------

    def _insert_named(self, kind: NamedKind[Any], item: Tag | RelationType) -> int:
        table = kind.table
        with self.batch():
            others = self._named(table)
            store_rules.check_named_fields(others, kind.what, item.name, item.colour, item.key)
            position = item.position
            if position < 0:
                position = max((r[4] for r in others), default=-1) + 1
            if item.id:
                new_id = self._one(
                    f"INSERT INTO {table} (id, name, colour, key, position)"
                    " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                    (item.id, item.name, item.colour.upper(), item.key, position),
                )
                self._keep_ids_ahead(table)
            else:
                new_id = self._one(
                    f"INSERT INTO {table} (name, colour, key, position)"
                    " VALUES (%s, %s, %s, %s) RETURNING id",
                    (item.name, item.colour.upper(), item.key, position),
                )
        return int(new_id)

    def _update_named(
        self,
        kind: NamedKind[Any],
        item_id: int,
        name: str | None,
        colour: str | None,
        key: str | None,
    ) -> None:
        with self.batch():
            others = [r for r in self._named(kind.table) if r[0] != item_id]
            store_rules.check_named_fields(others, kind.what, name, colour, key)
            cur = self._x(
                f"UPDATE {kind.table} SET name = coalesce(%s, name), colour = coalesce(%s, colour),"
                " key = coalesce(%s, key) WHERE id = %s",
                (name, colour.upper() if colour else None, key, item_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"There is no {kind.what} {item_id} in this project.")

    def _set_order(self, kind: NamedKind[Any], ids: Sequence[int]) -> None:
        what = kind.what
        with self.batch():
            if sorted(ids) != sorted(r[0] for r in self._named(kind.table)):
                raise ClaimmarkError(f"The new {what} order must list every {what} once.")
            self._many(
                f"UPDATE {kind.table} SET position = %s WHERE id = %s",
                [(position, item_id) for position, item_id in enumerate(ids)],
            )

    def delete_tag(self, tag_id: int) -> tuple[Tag, list[Highlight]]:
        tag = self.tag(tag_id)
        with self.batch():
            removed = self._select_highlights("WHERE tag_id = ?", (tag_id,))
            deleted = self._x("DELETE FROM highlights WHERE tag_id = %s", (tag_id,)).rowcount
            if deleted != len(removed):
                raise ClaimmarkError(
                    f"the tag “{tag.name}” holds highlights of other annotators, which you may "
                    "not delete."
                )
            self._x("DELETE FROM tags WHERE id = %s", (tag_id,))
        return tag, removed

    # The rating scale --------------------------------------------------------------------

    def insert_rating(self, rating: Rating) -> Rating:
        with self.batch():
            self._check_rating(rating)
            values = (rating.name, rating.value, rating.colour.upper(), rating.key)
            if rating.id:
                new_id = self._one(
                    "INSERT INTO ratings (id, name, value, colour, key)"
                    " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                    (rating.id, *values),
                )
                self._keep_ids_ahead("ratings")
            else:
                new_id = self._one(
                    "INSERT INTO ratings (name, value, colour, key) VALUES (%s, %s, %s, %s)"
                    " RETURNING id",
                    values,
                )
        return self.rating(int(new_id))

    def update_rating(self, rating: Rating) -> Rating:
        with self.batch():
            self.rating(rating.id)
            self._check_rating(rating)
            self._x(
                "UPDATE ratings SET name = %s, value = %s, colour = %s, key = %s WHERE id = %s",
                (rating.name, rating.value, rating.colour.upper(), rating.key, rating.id),
            )
        return self.rating(rating.id)

    def delete_rating(self, rating_id: int) -> tuple[Rating, list[Highlight]]:
        rating = self.rating(rating_id)
        with self.batch():
            rated = self._select_highlights("WHERE rating_id = ?", (rating_id,))
            self._x(
                "UPDATE highlights SET rating_id = NULL, changed_by = %s WHERE rating_id = %s",
                (self.annotator, rating_id),
            )
            self._x("DELETE FROM ratings WHERE id = %s", (rating_id,))
        return rating, rated

    def restore_rating(self, rating: Rating, rated: Sequence[Highlight]) -> list[Highlight]:
        with self.batch():
            self.insert_rating(rating)
            rows = self._x(
                "UPDATE highlights SET rating_id = %s, changed_by = %s"
                " WHERE rating_id IS NULL AND (id, updated_at) IN"
                " (SELECT * FROM unnest(%s::bigint[], %s::text[]))"
                f" RETURNING {HL_COLUMNS}",
                (rating.id, self.annotator, [h.id for h in rated], [h.updated_at for h in rated]),
            )
            return sorted(map(Highlight._make, rows))

    # Links -------------------------------------------------------------------------------

    def links_touching(self, highlight_ids: Sequence[int]) -> list[Link]:
        ids = list(highlight_ids)
        return self._select_links(
            "WHERE from_id = ANY(?) OR to_id = ANY(?) ORDER BY id", (ids, ids)
        )

    def insert_link(self, link: Link) -> Link:
        if link.from_id == link.to_id:
            raise ClaimmarkError("A highlight cannot be linked to itself.")
        with self.batch():
            self.relation_type(link.type_id)
            for end in (link.from_id, link.to_id):
                self.highlight(end)
            columns, values = _with_id(LINK_COLUMNS, link)
            try:
                new_id = self._one(
                    f"INSERT INTO links ({columns}, changed_by)"
                    f" VALUES ({_marks(len(values) + 1)}) RETURNING id",
                    (*values, self.annotator),
                    integrity=True,
                )
            except pg_errors.UniqueViolation:
                raise ClaimmarkError("These two highlights are already linked that way.") from None
        return link._replace(id=int(new_id))

    def insert_links(self, links: Sequence[Link]) -> list[Link]:
        restored: list[Link] = []
        with self.batch():
            for link in links:
                cur = self._x(
                    f"INSERT INTO links ({LINK_COLUMNS}, changed_by)"
                    f" SELECT {_LINK_MARKS}, %s"
                    " WHERE EXISTS (SELECT 1 FROM highlights WHERE id = %s)"
                    " AND EXISTS (SELECT 1 FROM highlights WHERE id = %s)"
                    " AND EXISTS (SELECT 1 FROM relation_types WHERE id = %s)"
                    " ON CONFLICT DO NOTHING",
                    (*link, self.annotator, link.from_id, link.to_id, link.type_id),
                )
                if cur.rowcount:
                    restored.append(link)
            if restored:
                self._keep_ids_ahead("links")
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
        with self.batch():
            if type_id is not None:
                self.relation_type(type_id)
            sql = (
                "UPDATE links SET type_id = coalesce(%s, type_id), note = coalesce(%s, note),"
                " updated_at = %s, changed_by = %s WHERE id = %s"
            )
            params: list[object] = [type_id, note, updated_at or utc_now(), self.annotator]
            params.append(link_id)
            if expected is not None:
                sql += f" AND {_LINK_STATE}"
                params += [expected.type_id, expected.note, expected.updated_at]
            try:
                cur = self._x(sql, params, integrity=True)
            except pg_errors.UniqueViolation:
                raise ClaimmarkError("These two highlights are already linked that way.") from None
            if cur.rowcount == 0:
                self._refused("links", "link", link_id, _link_state(expected))
        return self.link(link_id)

    def delete_link(self, link_id: int, expected: Link | None = None) -> Link:
        with self.batch():
            sql, params = "DELETE FROM links WHERE id = %s", [cast(object, link_id)]
            if expected is not None:
                sql += f" AND {_LINK_STATE}"
                params += [expected.type_id, expected.note, expected.updated_at]
            rows = self._x(sql + f" RETURNING {LINK_COLUMNS}", params).fetchall()
            if not rows:
                self._refused("links", "link", link_id, _link_state(expected))
        return Link._make(rows[0])

    def _refused(
        self, table: str, what: str, item_id: int, expected: tuple[object, ...] | None
    ) -> NoReturn:
        """Say why an update or delete of one row changed nothing: it is gone, someone else
        changed it since it was read (it differs from `expected`), or the server's policies
        do not let this login change it."""
        state = _HL_STATE_COLUMNS if table == "highlights" else _LINK_STATE_COLUMNS
        row = self._x(
            f"SELECT changed_by, annotator, {state} FROM {table} WHERE id = %s", (item_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"the {what} is no longer there (deleted by someone else meanwhile?)")
        changed_by, owner, *now = row
        if expected is not None and tuple(now) != expected:
            who = changed_by or "someone else"
            raise Conflict(
                f"the {what} was changed by {who} meanwhile; it now shows as {who} left it, "
                "and your change was not made."
            )
        raise ClaimmarkError(
            f"this {what} is {owner}'s: you ({self.annotator}) may change only your own."
        )

    # Annotators' progress ----------------------------------------------------------------

    def annotators(self) -> list[str]:
        rows = self._x(
            'SELECT annotator COLLATE "C" FROM highlights'
            " UNION SELECT annotator FROM documents_done ORDER BY 1"
        )
        return [a for (a,) in rows]

    # Highlights --------------------------------------------------------------------------

    # The changes people make one at a time are each one statement, so one round trip to the
    # server: on its own it commits at once; inside a batch it joins the batch's transaction.

    def insert_highlight(self, highlight: Highlight) -> Highlight:
        columns, values = _with_id(HL_COLUMNS, highlight)
        try:
            new_id = self._one(
                f"INSERT INTO highlights ({columns}, changed_by)"
                f" VALUES ({_marks(len(values) + 1)}) RETURNING id",
                (*values, self.annotator),
                integrity=True,
            )
        except pg_errors.UniqueViolation:
            raise ClaimmarkError(
                "the highlight is in the project already (imported, or made by someone else?)"
            ) from None
        except pg_errors.ForeignKeyViolation:
            raise NotFound(
                "its document or tag is no longer there (deleted by someone else?)"
            ) from None
        return highlight._replace(id=int(new_id))

    def insert_highlights(self, highlights: Sequence[Highlight], *, keep_ids: bool) -> int:
        for h in highlights:
            problem = highlight_problem(h.uuid, h.note, h.annotator, h.created_at, h.updated_at)
            store_rules.refuse(problem)
        if not highlights:
            return 0
        columns = HL_COLUMNS if keep_ids else HL_COLUMNS.removeprefix("id, ")
        with self.batch():
            self._x("CREATE TEMPORARY TABLE incoming AS SELECT * FROM highlights WITH NO DATA")
            with (
                self._errors(),
                self._conn.cursor() as cur,
                cur.copy(f"COPY incoming ({columns}, changed_by) FROM STDIN") as copy,
            ):
                for h in highlights:
                    copy.write_row((*(h if keep_ids else h[1:]), self.annotator))
            added = self._x(
                f"INSERT INTO highlights ({columns}, changed_by)"
                f" SELECT {columns}, changed_by FROM incoming"
                " ORDER BY document_id, start_pos ON CONFLICT (uuid) DO NOTHING"
            ).rowcount
            self._x("DROP TABLE incoming")
            if keep_ids:
                self._keep_ids_ahead("highlights")
        return added

    def update_highlight(
        self,
        highlight_id: int,
        *,
        tag_id: int | None = None,
        note: str | None = None,
        updated_at: str | None = None,
        expected: Highlight | None = None,
    ) -> Highlight:
        if note is not None:
            store_rules.refuse(note_problem(note))
        return self._update_highlight(
            "tag_id = coalesce(%s, tag_id), note = coalesce(%s, note)",
            [tag_id, note],
            highlight_id,
            updated_at,
            expected,
            f"There is no tag {tag_id} in this project.",
        )

    def _update_highlight(
        self,
        assignments: str,
        values: list[object],
        highlight_id: int,
        updated_at: str | None,
        expected: Highlight | None,
        missing: str,
    ) -> Highlight:
        sql = f"UPDATE highlights SET {assignments}, updated_at = %s, changed_by = %s WHERE id = %s"
        params = [*values, updated_at or utc_now(), self.annotator, highlight_id]
        if expected is not None:
            sql += f" AND {_HL_STATE}"
            params += _state(expected)
        try:
            row = self._x(f"{sql} RETURNING {HL_COLUMNS}", params, integrity=True).fetchone()
        except pg_errors.ForeignKeyViolation:
            raise NotFound(missing) from None
        if row is None:
            self._refused("highlights", "highlight", highlight_id, _hl_state(expected))
        return Highlight._make(row)

    def set_rating(
        self,
        highlight_id: int,
        rating_id: int | None,
        updated_at: str | None = None,
        expected: Highlight | None = None,
    ) -> Highlight:
        return self._update_highlight(
            "rating_id = %s",
            [rating_id],
            highlight_id,
            updated_at,
            expected,
            f"There is no rating {rating_id} in this project.",
        )

    def delete_highlight(self, highlight_id: int, expected: Highlight | None = None) -> Highlight:
        sql, params = "DELETE FROM highlights WHERE id = %s", [cast(object, highlight_id)]
        if expected is not None:
            sql += f" AND {_HL_STATE}"
            params += _state(expected)
        row = self._x(sql + f" RETURNING {HL_COLUMNS}", params).fetchone()
        if row is None:
            self._refused("highlights", "highlight", highlight_id, _hl_state(expected))
        return Highlight._make(row)

    def highlights_by_id(self, ids: Sequence[int]) -> dict[int, Highlight]:
        """The highlights with these ids that are there now."""
        found = self._select_highlights("WHERE id = ANY(?)", (list(ids),))
        return {h.id: h for h in found}

    def links_by_id(self, ids: Sequence[int]) -> dict[int, Link]:
        return {k.id: k for k in self._select_links("WHERE id = ANY(?)", (list(ids),))}

    def iter_highlights(self, where: HighlightFilter = HighlightFilter()) -> Iterator[Highlight]:
        clauses: list[str] = []
        params: list[object] = []
        if where.document_ids:
            clauses.append("document_id = ANY(%s)")
            params.append(list(where.document_ids))
        if where.tag_names:
            clauses.append("tag_id IN (SELECT id FROM tags WHERE name = ANY(%s))")
            params.append(list(where.tag_names))
        if where.annotators:
            clauses.append("annotator = ANY(%s)")
            params.append(list(where.annotators))
        if where.orphaned is not None:
            clauses.append(PLACED if not where.orphaned else f"NOT ({PLACED})")
        sql = f"SELECT {HL_COLUMNS} FROM highlights"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY document_id, start_pos, end_pos, id"
        needle = where.text.casefold()
        found: Iterator[Highlight] = map(Highlight._make, self._x(sql, params).fetchall())
        if needle:
            found = (
                h for h in found if needle in h.quote.casefold() or needle in h.note.casefold()
            )
        yield from found

    def highlight_rows(self) -> Iterator[HighlightRow]:
        rows: list[HighlightRow] = self._x(
            "SELECT id, document_id, start_pos, end_pos, tag_id, annotator, created_at, rating_id"
            f" FROM highlights WHERE {PLACED}"
        ).fetchall()
        return iter(rows)

    def highlight_texts(self, ids: Sequence[int] | None) -> dict[int, tuple[str, str]]:
        if ids is None:
            rows = self._x("SELECT id, quote, note FROM highlights")
        else:
            rows = self._x(
                "SELECT id, quote, note FROM highlights WHERE id = ANY(%s)", (list(ids),)
            )
        return {i: (q, n) for i, q, n in rows}

    def highlight_ids_by_uuid(self, uuids: Sequence[str]) -> dict[str, int]:
        rows = self._x(
            "SELECT uuid, id FROM highlights WHERE uuid = ANY(%s)", (list(uuids),)
        ).fetchall()
        return dict(rows)

    def export_records(
        self,
        kind: str,
        fields: Sequence[str],
        where: HighlightFilter = HighlightFilter(),
        separator: bytes = b",\n",
    ) -> Iterator[bytes]:
        """See ProjectStore.export_records. Built here from the store's own reads with orjson
        (the server's json_build_object spaces and escapes its output otherwise): a team's
        export is not the 100,000-highlight case the file store streams from SQL."""
        records = self._export_dicts(kind, where)
        first = True
        for record in records:
            try:
                chosen = {name: record[name] for name in fields}
            except KeyError as e:
                raise ValueError(f"{kind} have no exported field {e}") from None
            yield (b"" if first else separator) + orjson.dumps(chosen)
            first = False

    def _export_dicts(self, kind: str, where: HighlightFilter) -> Iterator[dict[str, Any]]:
        if kind == "documents":
            for d in self.documents():
                if where.document_ids and d.id not in where.document_ids:
                    continue
                yield {
                    "id": d.id, "title": d.title, "author": d.author, "outlet": d.outlet,
                    "published": d.published, "source": d.source,
                    "source_offset": d.source_offset, "url": d.url,
                    "page_starts": list(d.page_starts), "sha256": d.sha256,
                    "text": self.text(d.id),
                }  # fmt: skip
        elif kind in ("highlights", "relations"):
            tags = {t.id: t.name for t in self.tags()}
            ratings = {r.id: r.name for r in self.ratings()}
            chosen = list(self.iter_highlights(where))
            if kind == "highlights":
                for h in chosen:
                    yield {
                        "id": h.uuid, "document_id": h.document_id, "start": h.start,
                        "end": h.end, "quote": h.quote, "prefix": h.prefix,
                        "suffix": h.suffix, "tag": tags.get(h.tag_id),
                        "rating": ratings.get(h.rating_id) if h.rating_id else None,
                        "note": h.note, "annotator": h.annotator,
                        "created_at": h.created_at, "updated_at": h.updated_at,
                    }  # fmt: skip
                return
            uuids = {h.id: h.uuid for h in chosen}
            types = {t.id: t.name for t in self.relation_types()}
            for link in self.links():
                if link.from_id in uuids and link.to_id in uuids:
                    yield {
                        "id": link.uuid, "from_id": uuids[link.from_id],
                        "to_id": uuids[link.to_id], "type": types.get(link.type_id),
                        "note": link.note, "annotator": link.annotator,
                        "created_at": link.created_at, "updated_at": link.updated_at,
                    }  # fmt: skip
        elif kind == "done":
            for (annotator, document_id), done_at in sorted(
                self.done().items(), key=lambda item: (item[0][1], item[0][0])
            ):
                if where.document_ids and document_id not in where.document_ids:
                    continue
                if where.annotators and annotator not in where.annotators:
                    continue
                yield {"annotator": annotator, "document_id": document_id, "done_at": done_at}
        else:
            raise ValueError(f"nothing to export called {kind}")

    def highlight_places(self, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
        """{id: (document id, start, end)} of these highlights (those that exist and are placed
        in their text: an orphan has no place)."""
        rows = self._x(
            "SELECT id, document_id, start_pos, end_pos FROM highlights"
            f" WHERE id = ANY(%s) AND {PLACED}",
            (list(ids),),
        )
        return {i: (d, start, end) for i, d, start, end in rows}

    def highlight_ids_matching(self, text: str) -> set[int]:
        """Ids of placed highlights whose quote or note holds `text`, compared casefolded
        (Python's full case folding, as the SQLite store does)."""
        needle = text.casefold()
        rows = self._x(f"SELECT id, quote, note FROM highlights WHERE {PLACED}")
        return {i for i, q, n in rows if needle in q.casefold() or needle in n.casefold()}

    # Orphans -----------------------------------------------------------------------------

    def set_highlight_places(
        self, highlights: Sequence[Highlight], expected: Sequence[Highlight] | None = None
    ) -> list[Highlight]:
        """Store where each highlight is: its offsets, quote, context, orphan mark and change
        time, by id (its other fields stay as stored). A highlight placed in its text must be
        on its quote there. Returns those that exist (someone may have deleted some), as
        stored. With `expected` (each as it was read), only if every one is still there and
        in the place it had then (else NotFound or Conflict, and nothing is stored). All in
        one statement: a teammate's change to one of them meanwhile either came first (and
        the check sees it) or waits for this one."""
        if not highlights:
            return []
        seen = None if expected is None else store_rules.expected_for(highlights, expected)
        with self.batch():
            self._check_placements(highlights)
            self._x(
                "CREATE TEMPORARY TABLE places (id BIGINT PRIMARY KEY, start_pos INTEGER,"
                " end_pos INTEGER, quote TEXT, prefix TEXT, suffix TEXT, orphaned_version BIGINT,"
                " updated_at TEXT, checked BOOLEAN, was_start INTEGER, was_end INTEGER,"
                " was_quote TEXT, was_orphaned BIGINT)"
            )
            with (
                self._errors(),
                self._conn.cursor() as cur,
                cur.copy("COPY places FROM STDIN") as copy,
            ):
                for i, h in enumerate(highlights):
                    place = (h.id, h.start, h.end, h.quote, h.prefix, h.suffix)
                    copy.write_row(
                        (*place, h.orphaned_version, h.updated_at, seen is not None)
                        + (store_rules.place_state(seen[i]) if seen is not None else (None,) * 4)
                    )
            moved = {
                i
                for (i,) in self._x(
                    "UPDATE highlights AS h SET start_pos = p.start_pos, end_pos = p.end_pos,"
                    " quote = p.quote, prefix = p.prefix, suffix = p.suffix,"
                    " orphaned_version = p.orphaned_version, updated_at = p.updated_at,"
                    " changed_by = %s FROM places AS p WHERE h.id = p.id AND (NOT p.checked OR"
                    " (h.start_pos, h.end_pos, h.quote) = (p.was_start, p.was_end, p.was_quote)"
                    " AND h.orphaned_version IS NOT DISTINCT FROM p.was_orphaned)"
                    " RETURNING h.id",
                    (self.annotator,),
                )
            }
            self._x("DROP TABLE places")
            for i, h in enumerate(highlights):
                if h.id not in moved:
                    self._refused_place(h.id, None if seen is None else seen[i])
            stored = self.highlights_by_id([h.id for h in highlights])
        return [stored[h.id] for h in highlights if h.id in stored]

    def _refused_place(self, highlight_id: int, expected: Highlight | None) -> None:
        """Say why a highlight was not moved: deleted (skipped without `expected`), moved by
        someone else since `expected`, or not this login's to move."""
        row = self._x(
            "SELECT changed_by, annotator, start_pos, end_pos, quote, orphaned_version"
            " FROM highlights WHERE id = %s",
            (highlight_id,),
        ).fetchone()
        if row is None:
            if expected is None:
                return
            raise NotFound("the highlight is no longer there (deleted by someone else meanwhile?)")
        changed_by, owner, *place = row
        if expected is not None and tuple(place) != store_rules.place_state(expected):
            who = changed_by or "someone else"
            raise Conflict(
                f"the highlight was moved by {who} meanwhile; it now shows as {who} left it, "
                "and your change was not made."
            )
        raise ClaimmarkError(
            f"this highlight is {owner}'s: you ({self.annotator}) may move only your own (an "
            "adjudicator moves anyone's)."
        )


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """A statement written with `?` placeholders (sql_store.py) as psycopg takes it: `%s`, and a
    literal `%` doubled. The shared statements hold no `?` but their placeholders."""
    return sql.replace("%", "%%").replace("?", "%s")


def _cannot_connect(location: str, e: psycopg.OperationalError) -> ProjectError:
    reason = str(e).strip().splitlines()[-1] if str(e).strip() else "no answer"
    return ProjectError(f"{describe_location(location)}: cannot connect to the server ({reason}).")


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _check_text(text: str, title: str) -> None:
    if "\x00" in text:
        raise ClaimmarkError(f"“{title}”: the text holds a NUL character, which a server refuses.")


def _describe_integrity(e: psycopg.IntegrityError) -> str:
    if isinstance(e, pg_errors.ForeignKeyViolation):
        return "its tag, document or highlight is no longer there (deleted by someone else?)"
    if isinstance(e, pg_errors.UniqueViolation):
        return "it is in the project already (added by someone else meanwhile?)"
    return f"the project's rules refuse it ({_first_line(e)})"


# The live feed ---------------------------------------------------------------------------------


class PgChangeFeed:
    """Other connections' committed changes, as change records, from LISTEN on a connection of
    its own. `fileno()` is its socket: a window watches it and calls `read()` when it is
    readable (ui/live.py). Notifications from the store's own connection are skipped (the window
    announced those itself), and so are those of transactions that the last full re-read saw
    (`skip_seen()`)."""

    def __init__(self, store: PgStore) -> None:
        self._store = store
        self._conn: psycopg.Connection[Any] | None = None
        self._seen: _Snapshot | None = None
        self._connect()

    def _connect(self) -> None:
        self._conn = PgStore._connect(self._store.location, read_only=True, listen=True)

    def fileno(self) -> int:
        """The socket to watch, or -1 while there is no connection."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            return -1
        return int(self._conn.fileno())

    @property
    def connected(self) -> bool:
        return self.fileno() >= 0 and self._store.connected

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def reconnect(self) -> None:
        """Connect the store and the feed again; raises ProjectError while the server is away.
        What changed meanwhile is not in the feed: re-read everything after this."""
        if not self._store.connected:
            self._store.reconnect()
        if self.fileno() < 0:
            self.close()
            self._connect()

    def skip_seen(self) -> None:
        """Skip the changes that the store's last snapshot saw (call it when everything was
        re-read in that snapshot: those changes are shown already)."""
        if self._store.last_snapshot is not None:
            self._seen = _Snapshot.parse(self._store.last_snapshot)

    def pending(self) -> list[dict[str, Any]]:
        """The notifications that have arrived, decoded; raises ConnectionLost when the
        connection is gone."""
        conn = self._conn
        if conn is None:
            raise ConnectionLost(f"{self._store.name}: not connected to the server.")
        pgconn = conn.pgconn
        try:
            pgconn.consume_input()
        except psycopg.OperationalError:
            # The server went away (or the network): the store's connection, to the same
            # server, is taken for lost too, so that both are made again together.
            self.close()
            self._store._lost = True
            raise ConnectionLost(
                f"{self._store.name}: the connection to the server is lost."
            ) from None
        messages = []
        own = self._store.backend_pid if self._store.connected else -1
        while (notify := pgconn.notifies()) is not None:
            try:
                message = json.loads(notify.extra.decode("utf-8"))
            except ValueError:
                continue
            if message.get("pid") == own:
                continue
            if self._seen is not None and self._seen.saw(int(message.get("xid", 0))):
                continue
            messages.append(message)
        return messages

    def read(self) -> list[Changes]:
        """What other people changed since the last read: a change record per statement, in
        the order they were committed (none when nothing changed)."""
        return self.decode(self.pending())

    def decode(self, messages: Sequence[dict[str, Any]]) -> list[Changes]:
        """Turn notifications into change records, reading the rows' texts from the store.

        One record per notification, in order: merged, a highlight added and deleted again
        would be drawn as removed and then added. What a view counts and draws by (document,
        span, tag, rating) comes from the notification itself, so that records of one row
        applied one after another add up even when the row has changed again since; the rest
        is read as it is now (a row deleted since keeps empty texts: its deletion follows).
        Many notifications at once (a teammate's import) are one "everything", and so is a new
        version of a document (its text changed under every view; its highlights' moves, in
        the same transaction, are in that re-read). A highlight that became an orphan is
        removed, an orphan placed again is added (see changes.py).
        """
        if len(messages) > MAX_RECORDS or any(
            m.get("table") == "documents" and m.get("op") == "U" for m in messages
        ):
            return [EVERYTHING]
        hl_ids: set[int] = set()
        link_ids: set[int] = set()
        for m in messages:
            if m.get("table") in ("highlights", "links") and "rows" not in m:
                return [EVERYTHING]
            for row in m.get("rows", ()):
                ids = hl_ids if m["table"] == "highlights" else link_ids
                ids.update(r[0] for r in (row if m["op"] == "U" else [row]))
        now_hl = self._store.highlights_by_id(sorted(hl_ids)) if hl_ids else {}
        now_links = self._store.links_by_id(sorted(link_ids)) if link_ids else {}
        records: list[Changes] = []
        for m in messages:
            table, op, rows = m.get("table"), m.get("op"), m.get("rows", ())
            changes = Changes()
            if table == "highlights":
                if op == "U":
                    changes = highlights_changed(
                        [(_highlight_from(o, now_hl), _highlight_from(n, now_hl)) for o, n in rows]
                    )
                else:
                    hl = [_highlight_from(r, now_hl) for r in rows]
                    placed = tuple(h for h in hl if not h.orphaned)
                    orphans = len(placed) < len(hl)
                    changes = (
                        Changes(added=placed, orphans=orphans)
                        if op == "I"
                        else Changes(removed=placed, orphans=orphans)
                    )
            elif table == "links":
                if op != "U":
                    links = tuple(_link_from(r, now_links) for r in rows)
                    added = op == "I"
                    changes = Changes(links_added=links) if added else Changes(links_removed=links)
                else:
                    changes = Changes(
                        links_changed=tuple(
                            (_link_from(o, now_links), _link_from(n, now_links)) for o, n in rows
                        )
                    )
            elif table in _FLAGS:
                changes = _FLAGS[table]
            if changes:
                records.append(changes)
        return records


# Tables whose every change a window re-reads whole (few rows): the record's flag for each.
_FLAGS = {
    "tags": Changes(tags=True),
    "relation_types": Changes(relation_types=True),
    "ratings": Changes(ratings=True),
    "documents": Changes(documents=True),
    "documents_done": Changes(progress=True),
}


def _highlight_from(row: list[Any], now: dict[int, Highlight]) -> Highlight:
    hid, document_id, start, end, tag_id, rating_id, annotator, orphaned_version = row
    current = now.get(hid)
    if current is None:
        empty = ("", "", "", "")
        return Highlight(
            hid,
            "",
            document_id,
            start,
            end,
            tag_id,
            *empty,
            annotator,
            "",
            "",
            rating_id,
            orphaned_version,
        )
    return current._replace(
        document_id=document_id,
        start=start,
        end=end,
        tag_id=tag_id,
        rating_id=rating_id,
        orphaned_version=orphaned_version,
    )


def _link_from(row: list[Any], now: dict[int, Link]) -> Link:
    lid, from_id, to_id, type_id, annotator = row
    current = now.get(lid)
    if current is None:
        return Link(lid, "", from_id, to_id, type_id, "", annotator, "", "")
    return current._replace(from_id=from_id, to_id=to_id, type_id=type_id)


class _Snapshot:
    """A PostgreSQL snapshot (`xmin:xmax:xip,...`): which transactions' changes it saw."""

    def __init__(self, xmin: int, xmax: int, running: set[int]) -> None:
        self.xmin, self.xmax, self.running = xmin, xmax, running

    @classmethod
    def parse(cls, text: str) -> _Snapshot:
        xmin, xmax, xip = text.split(":")
        return cls(int(xmin), int(xmax), {int(x) for x in xip.split(",") if x})

    def saw(self, xid: int) -> bool:
        return xid < self.xmin or (xid < self.xmax and xid not in self.running)


def open_project(location: str, *, create: bool = True, read_only: bool = False) -> PgStore:
    """Open the server project at `location` (see `PgStore.open`)."""
    return PgStore.open(location, create=create, read_only=read_only)
