"""An agreement result as JSON data or as a plain text table (what `claimmark agreement` prints)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.core.agreement import AgreementResult, Measure
from desktop.core.wording import counted


def _value(measure: Measure, name: str = "alpha", reason: str = "reason") -> dict[str, Any]:
    return {name: measure.value, reason: measure.reason}


def as_json(result: AgreementResult) -> dict[str, Any]:
    """Every coefficient, null where undefined with its reason beside it."""
    return {
        "annotators": list(result.annotators),
        "overall": _value(result.overall),
        "tags": {t: _value(m) for t, m in result.by_tag.items()},
        "documents": {
            str(d): {**_value(m), "annotators": list(result.counting[d])}
            for d, m in result.by_document.items()
        },
        "pairs": [
            {
                "annotators": list(p.annotators),
                "documents": p.documents,
                **_value(p.alpha, "alpha", "alpha_reason"),
                **_value(p.f1_strict, "f1_strict", "f1_strict_reason"),
                **_value(p.f1_overlap, "f1_overlap", "f1_overlap_reason"),
            }
            for p in result.pairs
        ],
        "disagreements": len(result.disagreements),
    }


def _cell(measure: Measure) -> str:
    return "n/a" if measure.value is None else f"{measure.value:.3f}"


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    """Columns padded to their widest cell, "l" or "r" aligned as `align` says; the last
    column, a free text, is not padded."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(align))]
    return [
        "  ".join(
            [
                *(
                    c.rjust(w) if a == "r" else c.ljust(w)
                    for c, w, a in zip(row, widths, align, strict=False)
                ),
                row[-1],
            ]
        ).rstrip()
        for row in [header, *rows]
    ]


def as_text(result: AgreementResult, titles: Mapping[int, str]) -> str:
    """Tables of alpha overall and per tag, per document, and per pair with span F1; an
    undefined value shows as n/a with its reason."""
    lines = [
        f"{counted(len(result.annotators), 'annotator')} "
        f"({', '.join(result.annotators) or 'none'}), "
        f"{counted(len(result.documents), 'document')}. "
        "Krippendorff's alpha, nominal, over code points.",
        "",
    ]
    rows = [["overall", _cell(result.overall), result.overall.reason or ""]]
    rows += [[f"tag {t}", _cell(m), m.reason or ""] for t, m in result.by_tag.items()]
    lines += _table(["", "alpha", ""], rows, "lr")
    lines.append("")
    rows = [
        [
            str(d),
            _cell(m),
            str(len(result.counting[d])),
            titles.get(d, "") + (f" ({m.reason})" if m.reason else ""),
        ]
        for d, m in result.by_document.items()
    ]
    lines += _table(["document", "alpha", "annotators", "title"], rows, "rrr")
    if result.pairs:
        lines.append("")
        rows = [
            [
                p.annotators[0],
                p.annotators[1],
                _cell(p.alpha),
                _cell(p.f1_strict),
                _cell(p.f1_overlap),
                str(p.documents),
                "; ".join(
                    dict.fromkeys(
                        r for r in (p.alpha.reason, p.f1_strict.reason, p.f1_overlap.reason) if r
                    )
                ),
            ]
            for p in result.pairs
        ]
        header = ["annotator", "annotator", "alpha", "F1 strict", "F1 overlap", "documents", ""]
        lines += _table(header, rows, "llrrrr")
    lines += ["", f"{counted(len(result.disagreements), 'passage')} where annotators differ"]
    return "\n".join(lines) + "\n"
