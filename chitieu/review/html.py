"""The review as one HTML page (Jinja2, autoescaped): what the browser shows and Chromium prints.

Every figure is formatted here, in Python, so the template only lays out text; clerk-typed
text (unit names, file names, messages) is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from base import fmt
from base.periods import period_from_code, period_label
from base.settings import LOCAL_TZ
from chitieu.review.chart import COLOURS, attainment_svg, bar_svg
from chitieu.review.data import FindingGroup, Review, Target
from chitieu.review.frame import Frame, frame_words
from chitieu.review.labels import LABELS, rule_action, rule_text
from chitieu.review.measure import column_widths
from chitieu.review.opening import opening_paragraph

TEMPLATES = Path(__file__).resolve().parent / "templates"
MISSING_SHOWN = 8  # units named per period before "and n more"
UNAPPROVED = "\u00a0‡"  # after a printed figure not yet approved (docs/reviewer.md); never alone on a line
# The printed page (the template's @page and print CSS): A4 less its 25 and 15 mm side margins,
# tables in 9 pt, cells padded 4 px a side within a 1 px border (96 px to the inch), and slack.
PRINT_TEXT_MM, PRINT_TABLE_PT = 210 - 25 - 15, 9
PX_MM = 25.4 / 96
PRINT_PAD_MM = (2 * 4 + 1) * PX_MM + 1.0
CHART_MM = 72 * PX_MM  # the attainment chart's column; its drawing scales to fit (print CSS)


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              undefined=jinja2.StrictUndefined)


def target_row(t: Target, lang: str) -> dict:
    ind = t.indicator
    actual = fmt.actual_text(t, lang)
    return {
        "unit_name": t.unit_name, "name": ind.name(lang), "code": ind.code,
        "unit": fmt.unit_of_measure(ind.unit, lang),
        "target": fmt.target_text(t.kind, t.low, t.high, ind.decimals, ind.unit, lang),
        "actual": actual + (" *" if t.is_partial else "") + (UNAPPROVED if marked(t) else ""),
        "gap": fmt.signed(t.gap, ind.decimals, ind.unit, lang),
        "status": fmt.status_word(t.status, lang), "status_code": t.status,
        "colour": COLOURS.get(t.status, "#555"),
        "chart": Markup(attainment_svg(t)),
    }


def marked(t: Target) -> bool:
    """A target's actual is marked ‡ where it prints a figure not yet approved."""
    return not t.approved and t.actual is not None


def target_widths(rows: list[dict], text: dict, with_unit: bool) -> list[str]:
    """The targets table's column widths on the printed page, as shares of its width (the same
    shares on screen, where the table is wider and its type larger alike): sized by content as
    the .docx's are (measure.column_widths, Times metrics): a figure with its unit never wraps,
    the names on at most two lines while there is room (more rather than a figure running into
    the next cell when there is not), the attainment chart a fixed share."""
    keys = ["name", "target", "actual", "gap", "status"]
    headers = [text["indicator"], text["target"], text["actual"], text["gap"], text["status"]]
    if with_unit:
        keys, headers = ["unit_name", *keys], [text["unit_name"], *headers]
    numeric = {keys.index(k) for k in ("target", "actual", "gap")}
    widths = column_widths(headers, [[str(r[k]) for k in keys] for r in rows], numeric,
                           PRINT_TEXT_MM - CHART_MM, PRINT_TABLE_PT, PRINT_PAD_MM, names_give_way=True)
    return [f"{100 * w / PRINT_TEXT_MM:.2f}%" for w in (*widths, CHART_MM)]


def _examples(group: FindingGroup, lang: str) -> list[str]:
    """A finding's examples: in Vietnamese only where to look ("file › sheet › cell"), as the
    registry's title and what to do say the rest; the reader's detail (in English) stays in the
    workbook's findings sheet."""
    if lang != "vi" or len(group.places) != len(group.examples):
        return group.examples
    return [place or "—" for place in group.places]


def _first_names(names: list[str], more: str) -> str:
    shown = ", ".join(names[:MISSING_SHOWN])
    return shown + (f" {more.format(n=len(names) - MISSING_SHOWN)}" if len(names) > MISSING_SHOWN else "")


def clock_text(moment: datetime | None) -> str:
    """A time a person reads, in Vietnam time whatever the machine's clock: "07/12/2026 06:58"
    (published 23:58 UTC the day before). A naive time is UTC, as the warehouse stores them."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def subtitle(review: Review, lang: str, today: date) -> str:
    """"Tỉnh Hà Tĩnh — số liệu công bố lúc 07/12/2026 06:58, lập ngày 07/12/2026": the page's,
    the .docx's and the workbook's line under the title."""
    return LABELS[lang]["subtitle"].format(province=review.province_name,
                                           published=clock_text(review.published_at),
                                           today=today.strftime("%d/%m/%Y"))


def period_words(code: str, lang: str) -> str:
    """A period as the office writes it, "Tháng 1/2025", "Năm 2025" (never "2025-01");
    in English "January 2025", "Q4 2025"."""
    try:
        period = period_from_code(code)
    except ValueError:
        return code
    if lang == "vi":
        return period_label(period)
    first = period.first_day
    return {"month": first.strftime("%B %Y"), "quarter": f"Q{(first.month + 2) // 3} {first.year}",
            "half": f"H{1 if first.month == 1 else 2} {first.year}"}.get(period.period_type,
                                                                        str(first.year))


def context(review: Review, lang: str, today: date, frame: Frame | None = None) -> dict:
    """Everything the template shows, already worded and formatted; `frame` (the province and
    any reform in the year) gives the administrative document's frame."""
    text = LABELS[lang]
    s = review.scorecard
    headline = (text["headline_closed"] if review.closed else text["headline_open"]).format(
        met=s.met, total=s.total, on_track=s.on_track)
    tiles = [(text[f"stat_{k}"], getattr(s, k), COLOURS[k])
             for k in ("met", "exceeded", "missed", "at_risk", "on_track", "no_data")
             if getattr(s, k) or k in ("met", "missed")]
    breakdown = None
    if review.breakdown:
        b = review.breakdown
        rows = [{
            "name": r.unit_name + (" †" if r.is_approximate else ""),
            "values": [fmt.number(r.values.get(i.code), i.decimals, lang)
                       + (UNAPPROVED if not r.approved and r.values.get(i.code) is not None else "")
                       for i in b.indicators],
            "targets": [fmt.describe_target(t, lang) for t in r.targets],
            "missed": any(t.status in ("missed", "at_risk") for t in r.targets),
        } for r in b.rows]
        breakdown = {
            "title": text["breakdown_commune" if b.level == "commune" else "breakdown_district"],
            "columns": [f"{i.name(lang)} ({fmt.unit_of_measure(i.unit, lang)})" for i in b.indicators],
            "rows": rows,
            "any_approximate": any(r.is_approximate for r in b.rows),
            "any_unapproved": any(UNAPPROVED in v for row in rows for v in row["values"]),
            "any_targets": any(r.targets for r in b.rows),
        }
    completeness = [{
        "period": period_words(c.period, lang), "expected": fmt.number(c.expected, 0, lang),
        "received": fmt.number(c.received, 0, lang), "on_time": fmt.number(c.on_time, 0, lang),
        "pct": fmt.quantity(c.pct, 1, "%", lang), "bar": Markup(bar_svg(c.pct)),
        "missing": _first_names(c.missing, text["more"]),
    } for c in review.completeness]
    frame = frame or Frame(review.province_name, None, 0)
    targets = [target_row(t, lang) for t in review.targets]
    unit_targets = [target_row(t, lang) for t in review.unit_targets]
    return {
        "lang": lang, "t": text, "year": review.year,
        "frame": frame_words(frame, review.year, review.closed, lang, today),
        "title": text["title"].format(year=review.year),
        "subtitle": subtitle(review, lang, today),
        "in_progress": None if review.closed else text["in_progress"].format(year=review.year),
        "opening": opening_paragraph(review, lang),
        "headline": headline, "tiles": tiles,
        "targets": targets, "target_widths": target_widths(targets, text, with_unit=False),
        "any_partial": any(t.is_partial for t in review.targets),
        "any_unapproved": any(marked(t) for t in review.targets),
        "any_unit_unapproved": any(marked(t) for t in review.unit_targets),
        "opening_unapproved": None if review.province_approved or not review.province_values
        else text["opening_unapproved"].format(year=review.year),
        "unit_targets": unit_targets,
        "unit_target_widths": target_widths(unit_targets, text, with_unit=True),
        "breakdown": breakdown,
        "completeness": completeness,
        "late_units": [{"name": u.unit_name, "expected": u.expected, "on_time": u.on_time,
                        "late": u.expected - u.on_time} for u in review.late_units],
        "findings": [{"rule": rule_text(f.rule, lang), "code": f.rule,
                      "action": rule_action(f.rule, lang),
                      "severity": text.get(f.severity, f.severity), "count": f.count,
                      "examples": _examples(f, lang)} for f in review.findings],
    }


def render_html(review: Review, lang: str, today: date, frame: Frame | None = None) -> str:
    """The page, every character a browser and a UTF-8 file take (names and cells escaped
    visibly: `writable`); the PDF is printed from it."""
    from base.text import writable

    return writable(_env().get_template("review.html.j2").render(**context(review, lang, today, frame)),
                    limit=None)
