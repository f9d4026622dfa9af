"""The `claimmark` command: the window, or `import`, `export`, `list`, `agreement`, `copy` and
`server-setup` without a display.

Exit status: 0 on success, 1 when some input (a file, the project) was refused, 2 on usage
errors. A user's mistake prints one line per problem, never a traceback. Nothing here imports
Qt unless the window is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from desktop import __version__
from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path, render_bytes
from desktop.core.importing import ImportReport, import_paths
from desktop.core.model import HighlightFilter
from desktop.core.project import (
    default_project_path,
    describe_location,
    is_server_location,
    open_project,
)
from desktop.core.registry import EXPORT_FORMATS

COMMANDS = ("import", "export", "list", "agreement", "copy", "server-setup")
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


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
    parser = argparse.ArgumentParser(
        prog="claimmark",
        description="Mark claims, evidence and opinion in news articles. "
        f"Commands without a window: {', '.join(COMMANDS)} (claimmark COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"claimmark {__version__}")
    _db_option(parser)
    parser.add_argument("--annotator", metavar="NAME", help="name recorded on new highlights")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="documents to import")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimmark")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "import",
        help="import documents, a claimmark JSON or W3C JSON-LD export, or a brat folder",
    )
    _db_option(p)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = sub.add_parser("export", help="export highlights (to stdout without -o)")
    p.set_defaults(parser=p)
    _db_option(p)
    p.add_argument(
        "--format",
        default="json",
        choices=list(EXPORT_FORMATS),
        help="; ".join(f"{f.name}: {f.label}" for f in EXPORT_FORMATS.values()),
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

    p = sub.add_parser("list", help="list documents with highlight counts per tag")
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
    return parser


def _is_command(argv: Sequence[str]) -> bool:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--db")
    pre.add_argument("--annotator")
    _, rest = pre.parse_known_args(list(argv))
    return bool(rest) and rest[0] in COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if _is_command(argv):
            args = _command_parser().parse_args(argv)
            export_to_stdout = args.command == "export" and args.output is None
            if export_to_stdout and EXPORT_FORMATS[args.format].writes_folder:
                args.parser.error(
                    f"--format {args.format} writes a folder of files; "
                    "name a new folder with -o FOLDER"
                )
            handler = {
                "import": _import,
                "export": _export,
                "list": _list,
                "agreement": _agreement,
                "copy": _copy,
                "server-setup": _server_setup,
            }[args.command]
            return handler(args)
        return _window(_window_parser().parse_args(argv))
    except ClaimmarkError as e:
        print(f"claimmark: {e}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130


def print_report(report: ImportReport, out: TextIO) -> None:
    for doc in report.documents_added:
        byline = " | ".join(x for x in (doc.author, doc.outlet, doc.published) if x)
        out.write(
            f"added document {doc.id}: {doc.title}" + (f" ({byline})" if byline else "") + "\n"
        )
    for title in report.documents_already_present:
        out.write(f"already in the project: {title}\n")
    for name, merge in report.merges:
        out.write(
            f"{name}: {merge.documents_added} documents added, {merge.documents_matched} matched, "
            f"{merge.highlights_added} highlights added, {merge.highlights_present} already present"
            + (f", new tags: {', '.join(merge.tags_added)}" if merge.tags_added else "")
            + "\n"
        )
        for skipped in merge.skipped:
            out.write(f"{name}: skipped {skipped}\n")


def _import(args: argparse.Namespace) -> int:
    store = open_project(args.db)
    try:
        report = import_paths(store, args.files)
    finally:
        store.close()
    print_report(report, sys.stdout)
    for refused in report.refused:
        print(f"claimmark: refused {refused}", file=sys.stderr)
    return EXIT_REFUSED if report.refused else EXIT_OK


def _export(args: argparse.Namespace) -> int:
    store = open_project(args.db, create=False)
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
            export_to_path(store, args.format, args.output, where)
            return EXIT_OK
        text = render_bytes(store, args.format, where)
    finally:
        store.close()
    _write_stdout(text)
    return EXIT_OK


def _write_stdout(data: bytes) -> None:
    """Write UTF-8 exactly (CSV's CRLF row ends must not be translated again on Windows)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
        buffer.flush()


def _list(args: argparse.Namespace) -> int:
    store = open_project(args.db, create=False)
    try:
        tags = store.tags()
        counts = store.highlight_counts()
        docs = store.documents()
    finally:
        store.close()
    header = ["id", "date", "outlet", *(t.name for t in tags), "title"]
    rows = [
        [
            str(d.id),
            d.published or "-",
            d.outlet or "-",
            *(str(counts.get(d.id, {}).get(t.id, 0)) for t in tags),
            d.title,
        ]
        for d in docs
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [
            c.rjust(w) if i == 0 or i > 2 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=False))
        ]
        print("  ".join([*cells, row[-1]]))
    total = sum(sum(c.values()) for c in counts.values())
    print(f"{len(docs)} documents, {total} highlights")
    return EXIT_OK


def _agreement(args: argparse.Namespace) -> int:
    import json

    # numpy is loaded by this command only.
    from desktop.core.agreement import compute_agreement, marks_of
    from desktop.core.agreement_report import as_json, as_text

    store = open_project(args.db, create=False)
    try:
        with store.snapshot():
            tags, docs = store.tags(), store.documents()
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
        set(),  # documents marked done: not stored yet
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
                    f"{describe_location(args.target)} holds {held} documents. Replace "
                    "everything in it with the copy? [y/N] "
                )
                if not sys.stdin.isatty():
                    raise ClaimmarkError(
                        f"{describe_location(args.target)} is not empty ({held} documents); "
                        "nothing was copied. Give --force to replace what it holds."
                    )
                if input(question).strip().casefold() not in ("y", "yes"):
                    print("claimmark: nothing was copied.", file=sys.stderr)
                    return EXIT_REFUSED
                replace = True
            report = copy_project(source, target, replace=replace)
        finally:
            target.close()
    finally:
        source.close()
    print(
        f"copied {report.documents} documents, {report.highlights} highlights, "
        f"{report.links} links and {report.tags} tags to {describe_location(args.target)}"
    )
    return EXIT_OK


def _server_setup(args: argparse.Namespace) -> int:
    if not is_server_location(args.db):
        raise ClaimmarkError(f"{args.db}: not a server's connection string (postgresql://...)")
    from desktop.core.pg_store import set_up_team

    open_project(args.db, seed=True).close()  # a new project gets the seed articles
    for line in set_up_team(args.db, args.annotator, args.adjudicator):
        print(line)
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
