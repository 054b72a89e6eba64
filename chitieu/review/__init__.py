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
    """`<reports_dir>/<year>/bao_cao_<year>.{html,pdf,xlsx,docx}` for one target year."""
    from chitieu.review.frame import load_frame
    from chitieu.review.html import render_html
    from chitieu.review.word import write_docx
    from chitieu.review.xlsx import write_workbook

    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}: vi or en")
    review = load_review(published_db, year, today)
    frame = load_frame(published_db, year)
    folder = reports_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    name = base_name(year, lang)
    page = folder / f"{name}.html"
    html = render_html(review, lang, today, frame)
    _write_whole(page, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    book = folder / f"{name}.xlsx"
    _write_whole(book, lambda tmp: write_workbook(review, tmp, lang, today))
    draft = folder / f"{name}.docx"
    _write_whole(draft, lambda tmp: write_docx(review, frame, tmp, lang, today))
    printed = _print_if_changed(review, lang, page, folder / f"{name}.pdf", frame) if pdf else None
    return Written(year, headline(review), page, book, printed, draft)


def _write_whole(path: Path, write: Callable[[Path], object]) -> None:
    """Write a report under a temporary name and rename it into place: a run killed (or a
    volume filled) mid-write leaves the last whole file, never a truncated one that later
    nights, which only write when figures change, would keep."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _print_if_changed(review: Review, lang: str, page: Path, target: Path,
                      frame: object = None) -> Path | None:
    """Print the PDF only when the year's figures changed since it was last printed: Chromium
    takes about a second a year, and a night's new files rarely touch closed years. The
    fingerprint is the review's data (not the publication time), its frame and the page's
    layout, beside the PDF."""
    from chitieu.review.html import TEMPLATES
    from chitieu.review.pdf import html_to_pdf, pdf_is_whole

    layout = (TEMPLATES / "review.html.j2").read_text(encoding="utf-8")  # a new layout prints anew
    data = json.dumps([lang, asdict(replace(review, published_at=None)), frame, layout],
                      sort_keys=True, default=str)
    fingerprint = hashlib.sha256(data.encode()).hexdigest()  # dicts sorted: query order varies
    stamp = target.with_name(f".{target.name}.sha256")
    if stamp.exists() and stamp.read_text() == fingerprint and pdf_is_whole(target):
        return target
    stamp.unlink(missing_ok=True)  # stale from here on, until the new PDF is whole
    printed = html_to_pdf(page, target)  # verified whole before it replaces the old one
    if printed is not None:
        _write_whole(stamp, lambda tmp: tmp.write_text(fingerprint))
    return printed


def write_reviews(published_db: Path, reports_dir: Path, today: date, lang: str = "vi",
                  years: list[int] | None = None) -> list[Written]:
    """One review per year with targets, from the first to the current year."""
    years = years or target_years(published_db, today)
    return [write_review(published_db, reports_dir, y, today, lang) for y in years]
