"""Files in and out of the project: importing documents and exports, exporting highlights,
and asking for another project. Long work runs off the GUI thread (workers.py) on a store of its
own, opened through the same factory as the window's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMainWindow

from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path
from desktop.core.fetching import is_url
from desktop.core.importing import ImportReport, Source, import_paths
from desktop.core.model import HighlightFilter
from desktop.core.project import PROJECT_SUFFIX, open_project
from desktop.core.registry import import_file_filter
from desktop.ui import dialogs
from desktop.ui.export_dialog import ExportDialog
from desktop.ui.highlight_list import HighlightListPanel
from desktop.ui.session import Session
from desktop.ui.workers import run_with_progress


def describe_import(report: ImportReport) -> str:
    lines = []
    if report.documents_added:
        lines.append(f"Added {len(report.documents_added)} document(s).")
    if report.documents_already_present:
        lines.append(f"{len(report.documents_already_present)} already in the project.")
    for name, merge in report.merges:
        updated = f", {merge.highlights_updated} updated" if merge.highlights_updated else ""
        links = (
            f"; {merge.links_added} link(s) added, {merge.links_present} already present"
            if merge.links_added or merge.links_present
            else ""
        )
        lines.append(
            f"{Path(name).name}: {merge.highlights_added} highlight(s) added, "
            f"{merge.highlights_present} already present{updated}{links}."
        )
        lines.extend(f"  {n}" for n in merge.notes[:20])
        lines.extend(f"  skipped {s}" for s in merge.skipped[:20])
    if report.new_versions:
        lines.append(f"{len(report.new_versions)} new version(s) of documents in the project.")
    if report.refused:
        lines.append("Refused:")
        lines.extend(f"  {r}" for r in report.refused)
    if report.cancelled:
        lines.append("Cancelled: the rest was not imported.")
    return "\n".join(lines) or "Nothing to import."


def _shown(name: str) -> str:
    """What the progress dialog names: a web address whole, a file by its name."""
    return name if is_url(name) else Path(name).name


class Files(QObject):
    project_requested = Signal(object)  # Path of a project to open instead of this one
    # list[NewVersion]: documents an import found to be new versions of ones in the project,
    # not imported: what to do with each is asked (updating.py).
    new_versions_found = Signal(object)

    def __init__(
        self,
        session: Session,
        highlights: HighlightListPanel,
        window: QMainWindow,
        settings: QSettings,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.highlights = highlights
        self.window = window
        self.settings = settings

    def _last_folder(self) -> str:
        return str(self.settings.value("last_folder", str(Path.home())))

    # Import ------------------------------------------------------------------------------------

    def choose_import(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self.window, "Import Documents or Highlights", self._last_folder(), import_file_filter()
        )
        if names:
            self.settings.setValue("last_folder", str(Path(names[0]).parent))
            self.import_files([Path(n) for n in names])

    def choose_merge(self) -> None:
        """File > Merge Annotations: another annotator's claimmark JSON export of the same
        documents; their highlights keep their annotator, nothing is added twice."""
        names, _ = QFileDialog.getOpenFileNames(
            self.window,
            "Merge Annotations",
            self._last_folder(),
            "claimmark JSON exports (*.json);;All files (*)",
        )
        if names:
            self.settings.setValue("last_folder", str(Path(names[0]).parent))
            self.import_files([Path(n) for n in names])

    def choose_brat_import(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self.window, "Import a brat Folder", self._last_folder()
        )
        if name:
            self.settings.setValue("last_folder", str(Path(name).parent))
            self.import_files([Path(name)])

    def choose_url_import(self) -> None:
        """Ask for a web address (offering the one on the clipboard) and import it."""
        clipboard = QApplication.clipboard().text().strip()
        address = dialogs.ask_for_url(self.window, clipboard if is_url(clipboard) else "")
        if address is None:
            return
        if not is_url(address):
            dialogs.show_message(
                self.window,
                f"“{address}” is not a web address: it starts with https:// or http://.",
            )
            return
        self.import_files([address])

    def import_files(self, paths: list[Source]) -> ImportReport | None:
        """Import files, folders or web addresses in the background, with progress and
        Cancel (a download too); report what happened."""
        location = self.session.store.location
        annotator = self.session.store.annotator

        def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
            store = open_project(location, create=False)
            store.annotator = annotator
            try:
                return import_paths(
                    store,
                    paths,
                    on_progress=lambda done, total, name: progress(done, total, _shown(name)),
                    is_cancelled=is_cancelled,
                    new_versions="hold",
                )
            finally:
                store.close()

        ok, result = run_with_progress(self.window, "Importing…", work)
        if not ok:
            if result:
                dialogs.show_message(self.window, result)
            return None
        report: ImportReport = result
        self.session.reload()
        if report.documents_added and self.session.document_id is None:
            self.session.open_document(report.documents_added[0].id)
        if report.refused or report.merges or report.cancelled:
            dialogs.show_message(self.window, describe_import(report), error=bool(report.refused))
        else:
            self.window.statusBar().showMessage(describe_import(report), 8000)
        if report.new_versions:
            self.new_versions_found.emit(report.new_versions)
        return report

    # Export ------------------------------------------------------------------------------------

    def current_filter(self) -> HighlightFilter | None:
        """The highlight list's filter for the core's exporter: its tags, document, text and
        whose highlights (blind mode: mine only); None when it shows no tag."""
        state = self.highlights.state()
        tag_names: tuple[str, ...] = ()
        if state.tag_ids is not None:
            tags = self.session.summary.tags
            tag_names = tuple(t.name for t in tags if t.id in state.tag_ids)
            if not tag_names:
                return None
        documents = (state.document_id,) if state.document_id is not None else ()
        annotators = tuple(sorted(state.annotators)) if state.annotators is not None else ()
        return HighlightFilter(
            tag_names=tag_names, document_ids=documents, annotators=annotators, text=state.text
        )

    def listed_ids(self) -> frozenset[int] | None:
        """The ids of the highlights the list shows when it shows a part of the argument
        structure (claims without evidence, …), which no HighlightFilter says; else None."""
        if not self.highlights.structure.currentData():
            return None
        return frozenset(r.id for r in self.highlights.model.rows)

    def choose_export(self) -> None:
        folder = Path(self._last_folder())
        fmt = str(self.settings.value("export_format", "json"))
        shown, total = self.highlights.model.rowCount(), self.session.summary.total
        dialog = ExportDialog(self.window, shown, total, folder, fmt)
        accepted = dialog.exec()
        path, chosen = dialog.destination(), dialog.chosen_format().name
        everything = dialog.everything_chosen()
        dialog.deleteLater()
        if not accepted or path is None:
            return
        self.settings.setValue("last_folder", str(path.parent))
        self.settings.setValue("export_format", chosen)
        self.export_to(path, chosen, HighlightFilter() if everything else None)

    def export_to(self, path: Path, fmt: str, where: HighlightFilter | None = None) -> bool:
        """Export in the background with progress; `where` defaults to what the list shows."""
        location = self.session.store.location
        chosen = where if where is not None else self.current_filter()
        listed = self.listed_ids() if where is None else None
        if chosen is None:
            dialogs.show_message(
                self.window, "Every tag is toggled off in the highlight list: nothing to export."
            )
            return False
        if fmt == "claimreview" and not self._ask_fact_checker():
            return False

        def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
            store = open_project(location, read_only=True)
            try:
                return export_to_path(
                    store,
                    fmt,
                    path,
                    chosen,
                    replace=True,  # the export dialog asked before anything is replaced
                    on_progress=lambda done, total: progress(done, total, path.name),
                    is_cancelled=is_cancelled,
                    highlight_ids=listed,
                )
            finally:
                store.close()

        ok, result = run_with_progress(self.window, "Exporting…", work)
        if ok and result.notes:
            message = "\n\n".join([f"Exported to {path}.", *result.notes])
            dialogs.show_message(self.window, message, error=False)
        elif ok:
            self.window.statusBar().showMessage(f"Exported to {path}", 8000)
        elif result:
            dialogs.show_message(self.window, result)
        return ok

    def _ask_fact_checker(self) -> bool:
        """ClaimReview names the fact-checker and the address of each fact check: asked the
        first time, then kept in the project. False when the user cancels."""
        from desktop.core.formats import claimreview

        store = self.session.store
        questions = (
            (claimreview.PUBLISHER_SETTING, "The fact-checker publishing the reviews:", ""),
            (
                claimreview.REVIEW_URL_SETTING,
                "The address of each fact check ({id} stands for the claim's id):",
                "https://",
            ),
        )
        known = [store.setting(key) for key, _, _ in questions]
        if all(known):
            return True
        answers = []
        for (_, question, start), value in zip(questions, known, strict=True):
            answer, ok = QInputDialog.getText(
                self.window, "ClaimReview", question, text=value or start
            )
            if not ok:
                return False
            answers.append(answer)
        try:
            claimreview.remember(store, *answers)
        except ClaimmarkError as e:
            dialogs.show_message(self.window, str(e))
            return False
        return True

    # Other projects ----------------------------------------------------------------------------

    def choose_new_project(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.window,
            "New Project",
            str(Path.home() / f"project{PROJECT_SUFFIX}"),
            f"claimmark project (*{PROJECT_SUFFIX})",
        )
        if name:
            path = Path(name)
            if path.suffix != PROJECT_SUFFIX:
                path = path.with_suffix(path.suffix + PROJECT_SUFFIX)
            if path.exists():
                dialogs.show_message(
                    self.window, f"{path} already exists; open it with File > Open Project."
                )
                return
            self.project_requested.emit(path)

    def choose_open_project(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open Project",
            str(Path.home()),
            f"claimmark project (*{PROJECT_SUFFIX});;All files (*)",
        )
        if name:
            self.project_requested.emit(Path(name))
