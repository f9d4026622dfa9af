"""The `claimmark` command: the window, or `import`, `update`, `export`, `list`, `agreement`,
`copy` and `server-setup` without a display.

Exit status: 0 on success, 1 when some input (a file, the project) was refused, 2 on usage
errors. A user's mistake prints one line per problem, never a traceback. Nothing here imports
Qt unless the window is asked for, and each command loads what it needs only: `list` no file
format, `export` its own.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from desktop import __version__
from desktop.core.errors import ClaimmarkError, InputRefused
from desktop.core.model import HighlightFilter, sha256_text
from desktop.core.project import (
    default_project_path,
    describe_location,
    is_server_location,
    new_project_file,
    open_project,
    remove_unused_project,
)
from desktop.core.registry import EXPORT_NAMES, export_format
from desktop.core.wording import counted

if TYPE_CHECKING:
    from desktop.core.importing import ImportReport, Source
    from desktop.core.model import Highlight
    from desktop.core.operations import UpdateDocument
    from desktop.core.store import ProjectStore

COMMANDS = (
    "import",
    "update",
    "export",
    "list",
    "agreement",
    "copy",
    "server-setup",
    "install-desktop-entry",
)
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

# What a terminal may act on instead of showing: C0 and C1 control characters (ESC starts
# sequences that set the title, clear the screen or forge colours; a line break forges a line),
# DEL, the bidirectional controls that reorder what is shown, the Unicode line separators, and
# surrogates (the bytes of a file name that is not UTF-8).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(text: str) -> str:
    """`text` with every character a terminal could act on written as an escape (\\x1b,
    \\n, \\u202e; a byte of a non-UTF-8 file name as \\xe9): titles, file names and
    messages from files print as text, each on its own line."""
    return _UNSHOWABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    if "\udc80" <= c <= "\udcff":  # a byte os.fsdecode could not decode
        return f"\\x{ord(c) - 0xDC00:02x}"
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (
        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
    )


class _StdoutFailed(Exception):
    """Standard output cannot be written: its reader went away (`| head`), or a full disk."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror)
        self.error = error


def say(line: str, stream: TextIO | None = None) -> None:
    """Print one line, escaped (to standard output by default)."""
    out = stream or sys.stdout
    try:
        out.write(shown(line) + "\n")
    except OSError as e:
        if out is sys.stdout:
            raise _StdoutFailed(e) from None
        # Standard error itself cannot be written: there is no one left to tell.


class _Parser(argparse.ArgumentParser):
    """argparse, with the user's arguments in its error messages escaped."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown(message)}\n")


def location(text: str) -> str | Path:
    """A project's location: a libpq connection string for a server, else a file's path."""
    return text if is_server_location(text) else Path(text)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=location,
        metavar="PROJECT",
        help=f"the project file (default: {default_project_path()}), or a PostgreSQL server's "
        "project as a libpq connection string (postgresql://USER@HOST/DBNAME, service=NAME)",
    )


def _window_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="claimmark",
        description="Mark claims, evidence and opinion in news articles. "
        f"Commands without a window: {', '.join(COMMANDS)} (claimmark COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"claimmark {__version__}")
    _db_option(parser)
    parser.add_argument("--annotator", metavar="NAME", help="name recorded on new highlights")
    parser.add_argument(
        "files",
        nargs="*",
        type=_source,
        metavar="FILE",
        help="documents to import (files, or web addresses: https://...)",
    )
    return parser


def _source(argument: str) -> Source:
    """A file or folder to import, or a web address (kept as the string it is)."""
    from desktop.core.fetching import is_url

    return argument.strip() if is_url(argument) else Path(argument)


def _format_help(labels: bool) -> str:
    """The formats for `export --help`: with their labels when help is asked for (which loads
    every format module), by name otherwise."""
    if not labels:
        return "the export's format"
    from desktop.core.registry import export_formats

    return "; ".join(f"{f.name}: {f.label}" for f in export_formats().values())


def _command_parser(help_asked: bool = False) -> argparse.ArgumentParser:
    parser = _Parser(prog="claimmark")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "import",
        help="import documents (text, web pages, PDF, Word, OpenDocument; files or https://... "
        "addresses), a claimmark JSON, W3C JSON-LD or doccano JSONL export, or a brat folder "
        "(exports of the same documents merge)",
    )
    _db_option(p)
    p.add_argument("files", nargs="+", type=_source, metavar="FILE|URL")
    versions = p.add_mutually_exclusive_group()
    versions.add_argument(
        "--update",
        action="store_const",
        const="update",
        dest="new_versions",
        help="a new version of a document in the project (the same address or file name) "
        "updates it, re-anchoring its highlights",
    )
    versions.add_argument(
        "--new",
        action="store_const",
        const="add",
        dest="new_versions",
        help="a new version of a document in the project is added as another document",
    )
    p.set_defaults(new_versions="hold")

    p = sub.add_parser(
        "update",
        help="replace a document's text with a new version from a file or https://... address, "
        "re-anchoring its highlights (those that cannot be placed are kept as orphans)",
    )
    _db_option(p)
    p.add_argument(
        "--document", type=int, required=True, metavar="ID", help="the document (claimmark list)"
    )
    p.add_argument("file", type=_source, metavar="FILE|URL")

    p = sub.add_parser("export", help="export highlights (to stdout without -o)")
    p.set_defaults(parser=p)
    _db_option(p)
    p.add_argument(
        "--format", default="json", choices=list(EXPORT_NAMES), help=_format_help(help_asked)
    )
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="only this tag")
    p.add_argument(
        "--document", action="append", default=[], type=int, metavar="ID", help="only this document"
    )
    p.add_argument(
        "--annotator", action="append", default=[], metavar="NAME", help="only this annotator"
    )
    p.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (a folder for brat)"
    )
    p.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="replace what is at FILE (a folder for brat: with everything in it)",
    )
    p.add_argument(
        "--publisher",
        metavar="NAME",
        help="claimreview: the fact-checker publishing the reviews (needed by the first "
        "ClaimReview export, then kept in the project)",
    )
    p.add_argument(
        "--review-url",
        metavar="URL",
        help="claimreview: the address of each fact check, {id} standing for the claim's id "
        "(needed by the first ClaimReview export, then kept in the project)",
    )

    p = sub.add_parser(
        "list", help="list documents with highlight counts per tag, links and verdicts"
    )
    _db_option(p)

    p = sub.add_parser(
        "agreement", help="agreement between annotators: Krippendorff's alpha, span F1"
    )
    _db_option(p)
    p.add_argument(
        "--annotator", action="append", default=[], metavar="NAME", help="only this annotator"
    )
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="only this tag")
    p.add_argument(
        "--document", action="append", default=[], type=int, metavar="ID", help="only this document"
    )
    p.add_argument("--json", action="store_true", help="write JSON instead of tables")

    p = sub.add_parser(
        "copy", help="copy a whole project: a file to a server, a server to a file, or any two"
    )
    p.add_argument("--from", dest="source", type=location, required=True, metavar="PROJECT")
    p.add_argument("--to", dest="target", type=location, required=True, metavar="PROJECT")
    p.add_argument(
        "--force", action="store_true", help="replace what the target holds (asked otherwise)"
    )

    p = sub.add_parser(
        "server-setup",
        help="team roles and row-level security on a server project (as its owner)",
    )
    p.add_argument("--db", type=str, required=True, metavar="CONNINFO")
    p.add_argument(
        "--annotator", action="append", default=[], metavar="LOGIN", help="grant the annotator role"
    )
    p.add_argument(
        "--adjudicator",
        action="append",
        default=[],
        metavar="LOGIN",
        help="grant the adjudicator role (writes gold, edits tags, link types and ratings)",
    )

    sub.add_parser(
        "install-desktop-entry",
        help="put claimmark, with its icon, in your desktop's applications menu (Linux)",
    )
    return parser


def _is_command(argv: Sequence[str]) -> bool:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--db")
    pre.add_argument("--annotator")
    _, rest = pre.parse_known_args(list(argv))
    return bool(rest) and rest[0] in COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character: \u2019
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        if _is_command(argv):
            help_asked = bool({"-h", "--help"} & set(argv))
            args = _command_parser(help_asked).parse_args(argv)
            export_to_stdout = args.command == "export" and args.output is None
            if export_to_stdout and export_format(args.format).writes_folder:
                args.parser.error(
                    f"--format {args.format} writes a folder of files; "
                    "name a new folder with -o FOLDER"
                )
            handler = {
                "import": _import,
                "update": _update,
                "export": _export,
                "list": _list,
                "agreement": _agreement,
                "copy": _copy,
                "server-setup": _server_setup,
                "install-desktop-entry": _install_desktop_entry,
            }[args.command]
            code = handler(args)
            _flush_stdout()
            return code
        return _window(_window_parser().parse_args(argv))
    except ClaimmarkError as e:
        say(f"claimmark: {e}", sys.stderr)
        return EXIT_REFUSED
    except _StdoutFailed as e:
        _discard_stdout()
        if not isinstance(e.error, BrokenPipeError):  # a reader that stopped reading is no news
            say(f"claimmark: could not write to standard output ({e.error.strerror}).", sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as e:
        raise _StdoutFailed(e) from None


def _discard_stdout() -> None:
    """Send what is still buffered for standard output nowhere, so that Python does not fail
    again (with a traceback) when it flushes it on the way out."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def print_report(report: ImportReport, out: TextIO) -> None:
    for doc in report.documents_added:
        byline = " | ".join(x for x in (doc.author, doc.outlet, doc.published) if x)
        say(f"added document {doc.id}: {doc.title}" + (f" ({byline})" if byline else ""), out)
    for title in report.documents_already_present:
        say(f"already in the project: {title}", out)
    for name, merge in report.merges:
        parts = [
            f"{counted(merge.documents_added, 'document')} added, "
            f"{merge.documents_matched} matched",
            f"{counted(merge.highlights_added, 'highlight')} added, {merge.highlights_present} "
            "already present"
            + (f", {merge.highlights_updated} updated" if merge.highlights_updated else ""),
        ]
        if merge.links_added or merge.links_present or merge.links_updated:
            parts.append(
                f"{counted(merge.links_added, 'link')} added, {merge.links_present} already "
                "present" + (f", {merge.links_updated} updated" if merge.links_updated else "")
            )
        if merge.done_added:
            parts.append(f"{counted(merge.done_added, 'done mark')} added")
        for what, added in (
            ("tag", merge.tags_added),
            ("link type", merge.relation_types_added),
            ("rating", merge.ratings_added),
        ):
            if added:
                parts.append(f"new {what if len(added) == 1 else what + 's'}: {', '.join(added)}")
        say(f"{name}: {', '.join(parts)}", out)
        for note in merge.notes:
            say(f"{name}: {note}", out)
        for skipped in merge.skipped:
            say(f"{name}: skipped {skipped}", out)
    for version, update in report.updated:
        say(f"{version.source}: a new version ({version.why})", out)
        print_update(version.previous.id, update, out)


def print_update(document_id: int, update: UpdateDocument, out: TextIO) -> None:
    """What an update did: the counts, then each highlight it orphaned and why."""
    title = update.new.title
    say(f"updated document {document_id}: {title}: {update.summary}", out)
    for orphan, reason in update.orphaned:
        say(f"  orphaned: {_quoted(orphan)}: {reason}", out)


def _quoted(h: Highlight) -> str:
    quote = " ".join(h.quote.split())
    return f"“{quote[:60]}…”" if len(quote) > 60 else f"“{quote}”"


def _import(args: argparse.Namespace) -> int:
    from desktop.core.importing import import_paths

    new_file = new_project_file(args.db)
    store = open_project(args.db)
    try:
        report = import_paths(store, args.files, new_versions=args.new_versions)
    finally:
        store.close()
        # A project this import made and put no document into (every input refused, or
        # interrupted first) is not left behind, unless someone else took it up meanwhile.
        if new_file is not None:
            remove_unused_project(new_file)
    print_report(report, sys.stdout)
    for refused in report.refused:
        say(f"claimmark: refused {refused}", sys.stderr)
    for version in report.new_versions:
        say(
            f"claimmark: {version.source}: a new version of document {version.previous.id} "
            f"“{version.previous.title}” ({version.why}); not imported: add --update to update "
            "that document (its highlights are re-anchored) or --new to add it as another",
            sys.stderr,
        )
    return EXIT_REFUSED if report.refused or report.new_versions else EXIT_OK


def _update(args: argparse.Namespace) -> int:
    from desktop.core.importing import read_new_version
    from desktop.core.operations import UpdateDocument

    store = open_project(args.db, create=False)
    try:
        previous = store.document(args.document).info
        try:
            new = read_new_version(args.file, previous)
        except InputRefused as e:
            say(f"claimmark: refused {e}", sys.stderr)
            return EXIT_REFUSED
        if sha256_text(new.text) == previous.sha256:
            say(f"document {previous.id}: {previous.title}: this is its text already; no change")
            return EXIT_OK
        update = UpdateDocument(store, previous.id, new)
        update.do(store)
    finally:
        store.close()
    print_update(previous.id, update, sys.stdout)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from desktop.core.exporting import TargetExists, export_to_path, render_bytes

    options = _format_options(args)
    store = open_project(args.db, read_only=True)
    try:
        where = HighlightFilter(
            tag_names=tuple(args.tag),
            document_ids=tuple(args.document),
            annotators=tuple(args.annotator),
        )
        known_tags = {t.name for t in store.tags()}
        unknown = [t for t in args.tag if t not in known_tags]
        if unknown:
            raise ClaimmarkError(
                f"no tag named {', '.join(unknown)} (tags: {', '.join(sorted(known_tags))})"
            )
        known_docs = {d.id for d in store.documents()}
        missing = [str(d) for d in args.document if d not in known_docs]
        if missing:
            raise ClaimmarkError(f"no document {', '.join(missing)} (see claimmark list)")
        if args.output is not None:
            try:
                result = export_to_path(
                    store, args.format, args.output, where, replace=args.force, options=options
                )
            except TargetExists as e:
                raise ClaimmarkError(f"{e} Use --force to replace it.") from None
            for note in result.notes:
                say(f"claimmark: {note}", sys.stderr)
            return EXIT_OK
        notes: list[str] = []
        text = render_bytes(store, args.format, where, notes, options)
    finally:
        store.close()
    _write_stdout(text)
    for note in notes:
        say(f"claimmark: {note}", sys.stderr)
    return EXIT_OK


def _format_options(args: argparse.Namespace) -> dict[str, str]:
    """The options of a ClaimReview export, kept in the project once given (the export itself
    opens the project read-only)."""
    given = {"publisher": args.publisher, "review_url": args.review_url}
    if args.format != "claimreview":
        if any(given.values()):
            raise ClaimmarkError("--publisher and --review-url go with --format claimreview.")
        return {}
    if any(v is not None for v in given.values()):
        from desktop.core.formats import claimreview

        store = open_project(args.db, create=False)
        try:
            claimreview.remember(store, args.publisher, args.review_url)
        finally:
            store.close()
    return {k: v for k, v in given.items() if v is not None}


def _write_stdout(data: bytes) -> None:
    """Write UTF-8 exactly (CSV's CRLF row ends must not be translated again on Windows)."""
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            buffer.write(data)
            buffer.flush()
    except OSError as e:
        raise _StdoutFailed(e) from None


def _list(args: argparse.Namespace) -> int:
    store = open_project(args.db, read_only=True)
    try:
        with store.snapshot():
            tags = store.tags()
            counts = store.highlight_counts()
            docs = store.documents()
            document_of: dict[int, int] = {}
            verdicts: dict[int, int] = {}
            for row in store.highlight_rows():
                document_of[row[0]] = row[1]
                if row[7] is not None:
                    verdicts[row[1]] = verdicts.get(row[1], 0) + 1
            # A link is counted with the document it comes from; one with an orphan at either
            # end is not (as orphans are not, and as no export writes it), but counted apart.
            links: dict[int, int] = {}
            links_of_orphans = 0
            for link in store.links():
                doc = document_of.get(link.from_id)
                if doc is None or link.to_id not in document_of:
                    links_of_orphans += 1
                else:
                    links[doc] = links.get(doc, 0) + 1
            orphans = sum(store.orphan_counts().values())
    finally:
        store.close()
    header = ["id", "date", "outlet", *(shown(t.name) for t in tags), "links", "verdicts", "title"]
    rows = [
        [
            str(d.id),
            shown(d.published) or "-",
            shown(d.outlet) or "-",
            *(str(counts.get(d.id, {}).get(t.id, 0)) for t in tags),
            str(links.get(d.id, 0)),
            str(verdicts.get(d.id, 0)),
            shown(d.title),
        ]
        for d in docs
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [
            c.rjust(w) if i == 0 or i > 2 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=False))
        ]
        say("  ".join([*cells, row[-1]]))
    total = sum(sum(c.values()) for c in counts.values())
    summary = (
        f"{counted(len(docs), 'document')}, {counted(total, 'highlight')}, "
        f"{counted(sum(links.values()), 'link')}, {counted(sum(verdicts.values()), 'verdict')}"
    )
    if orphans or links_of_orphans:
        summary += f"; not counted: {counted(orphans, 'orphan')}"
        if links_of_orphans:
            summary += f", {counted(links_of_orphans, 'link')} to or from " + (
                "an orphan" if links_of_orphans == 1 else "orphans"
            )
    say(summary)
    return EXIT_OK


def _agreement(args: argparse.Namespace) -> int:
    import json

    # numpy is loaded by this command only.
    from desktop.core.agreement import compute_agreement, marks_of
    from desktop.core.agreement_report import as_json, as_text

    store = open_project(args.db, read_only=True)
    try:
        with store.snapshot():
            tags, docs, done = store.tags(), store.documents(), set(store.done())
            marks = marks_of(store.highlight_rows(), {t.id: t.name for t in tags})
    finally:
        store.close()
    tag_names = [t.name for t in tags]
    unknown = [t for t in args.tag if t not in tag_names]
    if unknown:
        raise ClaimmarkError(f"no tag named {', '.join(unknown)} (tags: {', '.join(tag_names)})")
    lengths = {d.id: d.length for d in docs}
    missing = [str(d) for d in args.document if d not in lengths]
    if missing:
        raise ClaimmarkError(f"no document {', '.join(missing)} (see claimmark list)")
    names = {m.annotator for m in marks if not args.document or m.document_id in args.document}
    absent = [a for a in args.annotator if a not in names]
    if absent:
        raise ClaimmarkError(
            f"no highlights by {', '.join(absent)} in these documents "
            f"(annotators: {', '.join(sorted(names)) or 'none'})"
        )
    result = compute_agreement(
        lengths,
        marks,
        done,
        annotators=args.annotator,
        tags=args.tag or tag_names,
        documents=args.document,
    )
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(as_text(result, {d.id: d.title for d in docs}))
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
    from desktop.core.copying import copy_project, is_empty

    source = open_project(args.source, create=False, read_only=True)
    try:
        target = open_project(args.target)
        try:
            replace = args.force
            if not replace and not is_empty(target):
                held = len(target.documents())
                question = (
                    f"{describe_location(args.target)} holds {counted(held, 'document')}. "
                    "Replace everything in it with the copy? [y/N] "
                )
                if not sys.stdin.isatty():
                    raise ClaimmarkError(
                        f"{describe_location(args.target)} is not empty "
                        f"({counted(held, 'document')}); nothing was copied. Give --force to "
                        "replace what it holds."
                    )
                if input(question).strip().casefold() not in ("y", "yes"):
                    print("claimmark: nothing was copied.", file=sys.stderr)
                    return EXIT_REFUSED
                replace = True
            report = copy_project(source, target, replace=replace)
            team_note = _team_set_up_note(target)
        finally:
            target.close()
    finally:
        source.close()
    versions = f" (and {counted(report.versions, 'earlier version')})" if report.versions else ""
    orphans = f" ({report.orphans} orphaned)" if report.orphans else ""
    print(
        f"copied {counted(report.documents, 'document')}{versions}, "
        f"{counted(report.highlights, 'highlight')}{orphans}, {counted(report.links, 'link')} "
        f"and {counted(report.tags, 'tag')} to {describe_location(args.target)}"
    )
    if team_note:
        print(team_note)
    return EXIT_OK


def _team_set_up_note(target: ProjectStore) -> str:
    """What must follow a copy to a server project that is not set up for a team: until then
    only its owner may read it. The copy does not set it up itself: that would give every
    annotator of the server's other projects this one too, which only its owner decides."""
    if not is_server_location(target.location):
        return ""
    from desktop.core.pg_store import PgStore, server_setup_command

    if not isinstance(target, PgStore) or target.set_up_for_team:
        return ""
    return (
        f"{target.name} is not set up for a team yet: only its owner may open it. For "
        f"teammates to open it, its owner runs {server_setup_command(target.location)} (an "
        "--annotator or --adjudicator for each login)."
    )


def _server_setup(args: argparse.Namespace) -> int:
    if not is_server_location(args.db):
        raise ClaimmarkError(f"{args.db}: not a server's connection string (postgresql://...)")
    from desktop.core.pg_store import PgStore

    store = open_project(args.db, seed=True)  # a new project gets the seed articles
    try:
        if not isinstance(store, PgStore):
            raise ClaimmarkError(f"{args.db}: not a server's project")
        print(store.how_opened(seeded=store.created))
        for line in store.set_up_team(args.annotator, args.adjudicator):
            print(line)
    finally:
        store.close()
    return EXIT_OK


def _install_desktop_entry(_args: argparse.Namespace) -> int:
    from desktop.desktop_entry import install_desktop_entry

    try:
        entry, icon = install_desktop_entry()
    except OSError as e:
        raise ClaimmarkError(f"cannot write the desktop entry ({e.strerror}).") from None
    print(f"installed {entry}\ninstalled {icon}")
    return EXIT_OK


def _window(args: argparse.Namespace) -> int:
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        print(
            "claimmark: no display to open the window on (DISPLAY is not set). "
            "Without a display, use: claimmark import | export | list (claimmark --help).",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        from desktop.ui.app import run_app
    except ImportError as e:
        print(
            f"claimmark: cannot load Qt to open the window ({e}). "
            "Install the system libraries listed in the README.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    return run_app(args.db, args.files, args.annotator)
