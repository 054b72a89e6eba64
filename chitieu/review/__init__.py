"""The province's review report: one per target year, in HTML, PDF and Excel.

`write_review` writes one year's three files; `write_reviews` every year with targets up to
the current one (what the nightly `report` task and `make run` do). Modules, one job each:
`data` (queries of the published marts), `fmt` and `labels` (Vietnamese/English wording and
numbers), `opening` (the opening paragraph's sentence templates), `chart` (SVG drawings),
`frame` (the administrative document's frame, Decree 30/2020/NĐ-CP), `html` (the Jinja2 page),
`pdf` (headless Chromium), `xlsx` (the workbook), `word` (the editable .docx of the same draft).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path

from chitieu.review.data import Review, load_review, target_years

log = logging.getLogger(__name__)


@dataclass
class Written:
    year: int
    headline: str
    html: Path
    xlsx: Path
    pdf: Path | None
    docx: Path | None = None

    def as_dict(self) -> dict:
        return {"year": self.year, "headline": self.headline, "html": str(self.html),
                "xlsx": str(self.xlsx), "pdf": str(self.pdf) if self.pdf else None,
                "docx": str(self.docx) if self.docx else None}


def base_name(year: int, lang: str) -> str:
    """ASCII file names: bao_cao_2021 (Vietnamese), review_2021 (English)."""
    return f"bao_cao_{year}" if lang == "vi" else f"review_{year}"


def headline(review: Review) -> str:
    """The log's one-line headline, in English as before: "2021: 9 of 17 targets met"."""
    return f"{review.year}: {review.scorecard.met} of {review.scorecard.total} targets met"


def write_review(published_db: Path, reports_dir: Path, year: int, today: date, lang: str = "vi",
                 pdf: bool = True) -> Written:
    """`<reports_dir>/<year>/bao_cao_<year>.{html,pdf,xlsx,docx}` for one target year, each
    written only when its manifest is missing or differs (`_refresh`)."""
    from chitieu.review.frame import load_frame

    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}: vi or en")
    review = load_review(published_db, year, today)
    frame = load_frame(published_db, year)
    return write_formats(review, frame, reports_dir / str(year), lang, today, pdf)


def write_formats(review: Review, frame: object, folder: Path, lang: str, today: date,
                  pdf: bool = True) -> Written:
    """Every format of one review whose manifest is missing or differs from the figures'
    fingerprint now: a kill or a full disk mid-report leaves some formats on last night's
    figures, and the next night (quiet ones included) writes exactly those again."""
    from chitieu.review.html import render_html
    from chitieu.review.word import write_docx
    from chitieu.review.xlsx import write_workbook

    folder.mkdir(parents=True, exist_ok=True)
    name = base_name(review.year, lang)
    figures = fingerprint(review, lang, frame)
    page, book, draft = (folder / f"{name}.{ext}" for ext in ("html", "xlsx", "docx"))
    _refresh(page, figures, lambda tmp: tmp.write_text(render_html(review, lang, today, frame),
                                                       encoding="utf-8"))
    _refresh(book, figures, lambda tmp: write_workbook(review, tmp, lang, today))
    _refresh(draft, figures, lambda tmp: write_docx(review, frame, tmp, lang, today))
    printed = _refresh_pdf(page, folder / f"{name}.pdf", figures) if pdf else None
    return Written(review.year, headline(review), page, book, printed, draft)


REVIEW_CODE = Path(__file__).parent


def fingerprint(review: Review, lang: str, frame: object) -> str:
    """The figures a report shows and the code that lays them out: the review's data (not the
    publication time), its frame, the language, and the review package's own sources and
    templates (a new layout writes every format anew)."""
    code = hashlib.sha256()
    for source in sorted(REVIEW_CODE.rglob("*")):
        if source.is_file() and source.suffix in (".py", ".j2", ".css", ".html"):
            code.update(source.read_bytes())
    data = json.dumps([lang, asdict(replace(review, published_at=None)), frame, code.hexdigest()],
                      sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()  # dicts sorted: query order varies


def manifest_path(report: Path) -> Path:
    return report.with_name(f".{report.name}.manifest")


def is_fresh(report: Path, figures: str) -> bool:
    """Whether `report` exists and its manifest holds these figures' fingerprint."""
    try:
        recorded = json.loads(manifest_path(report).read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return recorded == figures and report.exists()


def _refresh(report: Path, figures: str, write: Callable[[Path], object]) -> bool:
    """Write `report` (whole, by rename) and then its manifest, unless it is fresh. The
    manifest comes last: a kill or a full disk before it leaves the old one, which differs,
    and the next night writes the report again."""
    if is_fresh(report, figures):
        return False
    _write_whole(report, write)
    _write_manifest(report, figures)
    return True


def _write_manifest(report: Path, figures: str) -> None:
    _write_whole(manifest_path(report), lambda tmp: tmp.write_text(
        json.dumps({"fingerprint": figures, "report": report.name}), encoding="utf-8"))


def _write_whole(path: Path, write: Callable[[Path], object]) -> None:
    """Write a report under a temporary name and rename it into place: a run killed (or a
    volume filled) mid-write leaves the last whole file, never a truncated one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _refresh_pdf(page: Path, target: Path, figures: str) -> Path | None:
    """The PDF, printed from the page only when it is not fresh (Chromium costs about a second
    a year) or not whole; None without Chromium (no manifest: tried again next night)."""
    from chitieu.review.pdf import html_to_pdf, pdf_is_whole

    if is_fresh(target, figures) and pdf_is_whole(target):
        return target
    printed = html_to_pdf(page, target)  # verified whole before it replaces the old one
    if printed is not None:
        _write_manifest(target, figures)
    target.with_name(f".{target.name}.sha256").unlink(missing_ok=True)  # the older stamp
    return printed


def write_reviews(published_db: Path, reports_dir: Path, today: date, lang: str = "vi",
                  years: list[int] | None = None) -> list[Written]:
    """One review per year with targets, from the first to the current year."""
    years = years or target_years(published_db, today)
    return [write_review(published_db, reports_dir, y, today, lang) for y in years]
