"""The frame of an administrative document (Decree 30/2020/NĐ-CP) around the review, so that
the draft is one the office can register, sign and send, not an annex.

Top left the issuing body under its parent ("UBND TỈNH HÀ TĨNH" over "CỤC THỐNG KÊ") and the
number left blank for the registry ("Số: …/BC-CTK"); top right the national motto and the place
and date; then the title, the body, "Nơi nhận:" and the signature block. The province comes
from the published unit list; the year a reform changed the units, from the same list, so the
review says in one sentence how figures before the reform are counted. The HTML page (and so
the PDF) and the .docx both take their words from `frame_words`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from chitieu.review.labels import LABELS

OPEN_ENDED = date(9999, 1, 1)


@dataclass(frozen=True)
class Frame:
    province_name: str  # "Tỉnh Hà Tĩnh", as the unit list names it
    reform_day: date | None  # the first day of today's units, when it falls in the year
    units_today: int  # the units directly under the province today (69 communes)


def load_frame(published_db: Path, year: int) -> Frame:
    """The province and, for a year the units changed in, the day of the change."""
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        code, name = con.execute(
            "SELECT unit_code, unit_name FROM marts.dim_units WHERE unit_level = 'province' "
            "ORDER BY valid_to DESC LIMIT 1").fetchone()
        # Units under the province that ceased within the year (not on its last day): the
        # reform is the day after the last of them (30 June 2025 → 1 July 2025).
        ceased = con.execute(
            "SELECT max(valid_to) FROM marts.dim_units WHERE unit_level <> 'province' "
            "AND valid_to >= make_date(?, 1, 1) AND valid_to < make_date(?, 12, 31)",
            [year, year]).fetchone()[0]
        today_units = con.execute(
            "SELECT count(*) FROM marts.dim_units WHERE parent_code = ? AND valid_to >= ?",
            [code, OPEN_ENDED]).fetchone()[0]
    finally:
        con.close()
    reform = ceased + timedelta(days=1) if ceased is not None else None
    return Frame(name, reform, int(today_units))


def place_name(province_name: str) -> str:
    """The place in "Hà Tĩnh, ngày …": the province's name without "Tỉnh" / "Thành phố"."""
    for prefix in ("Tỉnh ", "Thành phố ", "TP "):
        if province_name.startswith(prefix):
            return province_name[len(prefix):]
    return province_name


def date_words(day: date, lang: str) -> str:
    """Decree 30's date: "ngày 06 tháng 12 năm 2026", a day under 10 and months 1 and 2 with a
    leading zero ("ngày 05 tháng 02", "tháng 3")."""
    if lang != "vi":
        return day.strftime("%d %B %Y").lstrip("0")
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def reform_sentence(frame: Frame, lang: str) -> str | None:
    """How the year's figures are counted across the reform, in one sentence; None for a year
    without a change of units."""
    if frame.reform_day is None:
        return None
    words = LABELS[lang]["reform"]
    day = (frame.reform_day.strftime("%d/%m/%Y") if lang == "vi"
           else date_words(frame.reform_day, lang))
    return words.format(day=day, n=frame.units_today)


def frame_words(frame: Frame, year: int, closed: bool, lang: str, today: date) -> dict:
    """Every word of the frame, for the page and the .docx alike."""
    text = LABELS[lang]
    province = frame.province_name
    place = place_name(province)
    return {
        "parent": text["issuer_parent"].format(province=province.upper(), place=place),
        "issuer": text["issuer"],
        "number": text["number"],
        "motto": text["motto"],
        "motto_sub": text["motto_sub"],
        "place_date": f"{place}, {date_words(today, lang)}",
        "doc_kind": text["doc_kind"],
        "subject": text["subject_closed" if closed else "subject_open"].format(year=year),
        "recipients_title": text["recipients_title"],
        "recipients": [r.format(province=province) for r in text["recipients"].split("|")],
        "signer": text["signer"],
        "sign_note": text["sign_note"],
        "signer_name": text["signer_name"],
        "reform": reform_sentence(frame, lang),
    }
