"""The project schema as numbered forward migrations.

`PRAGMA user_version` holds the number of the last migration applied. A database whose version is
higher than `LATEST` was written by a newer claimmark and is refused, never written to.
The SQL sticks to what PostgreSQL also accepts where that costs nothing (no column named `end`,
timestamps as ISO 8601 UTC text).
"""

from __future__ import annotations

# "CLMK": marks an SQLite file as a claimmark project, so another program's database is refused.
APPLICATION_ID = 0x434C4D4B

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        source_offset INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        length INTEGER NOT NULL,
        imported_at TEXT NOT NULL
    );

    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        colour TEXT NOT NULL,
        key TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL
    );

    CREATE TABLE highlights (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
        start_pos INTEGER NOT NULL,
        end_pos INTEGER NOT NULL,
        quote TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        annotator TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (start_pos >= 0 AND end_pos > start_pos)
    );

    CREATE INDEX highlights_by_document ON highlights (document_id, start_pos);
    CREATE INDEX highlights_by_tag ON highlights (tag_id);
    """,
    # Opening a document reads the spans of its highlights; an index that holds them answers
    # that from a few index pages instead of every row (quotes and context make rows large).
    2: """
    CREATE INDEX highlights_spans ON highlights (document_id, start_pos, end_pos, tag_id);
    DROP INDEX highlights_by_document;
    """,
    # Ids are never given out twice (AUTOINCREMENT). Undo and redo find a tag or a highlight by
    # its id; had a deleted one's id gone to a tag or highlight made since (by an import, or in
    # another window), undoing again would have deleted that one instead.
    3: """
    CREATE TABLE tags_2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        colour TEXT NOT NULL,
        key TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL
    );
    INSERT INTO tags_2 (id, name, colour, key, position)
        SELECT id, name, colour, key, position FROM tags;

    CREATE TABLE highlights_2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
        start_pos INTEGER NOT NULL,
        end_pos INTEGER NOT NULL,
        quote TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        annotator TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (start_pos >= 0 AND end_pos > start_pos)
    );
    INSERT INTO highlights_2 (id, uuid, document_id, tag_id, start_pos, end_pos, quote, prefix,
            suffix, note, annotator, created_at, updated_at)
        SELECT id, uuid, document_id, tag_id, start_pos, end_pos, quote, prefix, suffix, note,
            annotator, created_at, updated_at FROM highlights;

    DROP TABLE highlights;
    DROP TABLE tags;
    ALTER TABLE tags_2 RENAME TO tags;
    ALTER TABLE highlights_2 RENAME TO highlights;
    CREATE INDEX highlights_spans ON highlights (document_id, start_pos, end_pos, tag_id);
    CREATE INDEX highlights_by_tag ON highlights (tag_id);
    """,
    # The same for documents, which can now be deleted (and the deletion undone).
    4: """
    CREATE TABLE documents_2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        source_offset INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        length INTEGER NOT NULL,
        imported_at TEXT NOT NULL
    );
    INSERT INTO documents_2 SELECT id, title, author, outlet, published, source, source_offset,
        sha256, text, length, imported_at FROM documents;
    DROP TABLE documents;
    ALTER TABLE documents_2 RENAME TO documents;
    """,
    # Argument structure: typed links between highlights, a rating scale for verdicts on
    # claims; several annotators: which documents each has marked done; and the project's own
    # settings (the fact-checker's name for ClaimReview).
    5: """
    CREATE TABLE relation_types (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        colour TEXT NOT NULL,
        key TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL
    );

    CREATE TABLE links (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        from_id INTEGER NOT NULL REFERENCES highlights (id) ON DELETE CASCADE,
        to_id INTEGER NOT NULL REFERENCES highlights (id) ON DELETE CASCADE,
        type_id INTEGER NOT NULL REFERENCES relation_types (id) ON DELETE RESTRICT,
        note TEXT NOT NULL DEFAULT '',
        annotator TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (from_id <> to_id),
        UNIQUE (from_id, to_id, type_id)
    );
    CREATE INDEX links_by_from ON links (from_id);
    CREATE INDEX links_by_to ON links (to_id);
    CREATE INDEX links_by_type ON links (type_id);

    CREATE TABLE ratings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        value INTEGER NOT NULL UNIQUE,
        colour TEXT NOT NULL,
        key TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE highlights ADD COLUMN rating_id INTEGER
        REFERENCES ratings (id) ON DELETE RESTRICT;
    CREATE INDEX highlights_by_rating ON highlights (rating_id);
    DROP INDEX highlights_spans;
    CREATE INDEX highlights_spans
        ON highlights (document_id, start_pos, end_pos, tag_id, rating_id, annotator);

    CREATE TABLE documents_done (
        annotator TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        done_at TEXT NOT NULL,
        PRIMARY KEY (annotator, document_id)
    );

    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # Documents from the web and from PDFs: the address a document came from (or names as its
    # own), and where each of its pages starts, as a JSON array of code point offsets ("" for a
    # document without pages). Added columns only, so this stands on its own whatever its number.
    6: """
    ALTER TABLE documents ADD COLUMN url TEXT NOT NULL DEFAULT '';
    ALTER TABLE documents ADD COLUMN page_starts TEXT NOT NULL DEFAULT '';
    """,
    # Articles that change: a document's earlier texts, kept (with what it was called and
    # where it came from) when a new version replaces its text; and orphans, highlights that
    # could not be placed in the new text, marked with the version their offsets refer to
    # (NULL: placed in the current text). The spans index (which since version 5 also holds
    # the rating and the annotator) gets the mark too, so that reading a document's placed
    # highlights, and counting them, stays an index-only read. It only adds a table, a column
    # and an index, so it stands on its own whatever its number. (PostgreSQL: its own form in
    # pg_schema.py.)
    7: """
    CREATE TABLE document_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        source_offset INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL,
        text TEXT NOT NULL,
        length INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        page_starts TEXT NOT NULL DEFAULT '',
        replaced_at TEXT NOT NULL
    );
    CREATE INDEX document_versions_by_document ON document_versions (document_id);
    ALTER TABLE highlights ADD COLUMN orphaned_version INTEGER;
    DROP INDEX highlights_spans;
    CREATE INDEX highlights_spans
        ON highlights
        (document_id, start_pos, end_pos, tag_id, rating_id, annotator, orphaned_version);
    """,
}

LATEST = max(MIGRATIONS)

# A new project starts with these tags. Colours from the Okabe-Ito palette, chosen to stay
# distinct for the common forms of colour blindness and readable on light and dark backgrounds.
DEFAULT_TAGS: tuple[tuple[str, str, str], ...] = (
    ("claim", "#E69F00", "1"),
    ("evidence", "#56B4E9", "2"),
    ("opinion", "#CC79A7", "3"),
)

# A new project's link types, and its rating scale: (name, value, colour, key), best first.
DEFAULT_RELATION_TYPES: tuple[tuple[str, str, str], ...] = (
    ("supports", "#009E73", "1"),
    ("attacks", "#D55E00", "2"),
)
DEFAULT_RATINGS: tuple[tuple[str, int, str, str], ...] = (
    ("True", 6, "#1A9850", "1"),
    ("Mostly true", 5, "#91CF60", "2"),
    ("Mixed", 4, "#E6C700", "3"),
    ("Mostly false", 3, "#FC8D59", "4"),
    ("False", 2, "#D73027", "5"),
    ("Unproven", 1, "#999999", "6"),
)

# Colours for further tags, the rest of the same palette, in order of preference.
SPARE_COLOURS = ("#009E73", "#0072B2", "#D55E00", "#F0E442", "#999999")


def free_colour(used: set[str]) -> str:
    """The first spare colour no tag has yet (upper case #RRGGBB), or grey."""
    return next((c for c in SPARE_COLOURS if c not in used), "#999999")
