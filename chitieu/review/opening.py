"""A draft of the review's opening paragraph, from fixed sentence templates (no free text).

In the manner of the province's review: "Năm 2021, tỉnh đạt và vượt 9/17 chỉ tiêu chủ yếu;
tốc độ tăng trưởng GRDP đạt 5,02 %; …". Every clause is a template filled with a figure of
the marts; a clause whose figure is missing is left out, never guessed.
"""

from __future__ import annotations

from base import fmt
from chitieu.review.data import Review

# (indicator, Vietnamese template, English template); {v} is the figure with its unit.
CLAUSES = (
    ("GRDP_GROWTH", "tốc độ tăng trưởng GRDP đạt {v}", "GRDP grew by {v}"),
    ("GRDP_PER_CAPITA", "GRDP bình quân đầu người đạt {v}", "GRDP per capita reached {v}"),
    ("BUDGET_REVENUE", "thu ngân sách trên địa bàn đạt {v}", "state budget revenue reached {v}"),
    ("POVERTY_RATE", "tỷ lệ hộ nghèo còn {v}", "the poverty rate fell to {v}"),
    ("NEAR_POVERTY_RATE", "tỷ lệ hộ cận nghèo còn {v}", "the near-poverty rate was {v}"),
    ("NTM_COMMUNE_RATE", "tỷ lệ xã đạt chuẩn nông thôn mới đạt {v}",
     "{v} of rural communes met the new-rural standard"),
    ("PUBLIC_INVEST_DISBURSED", "giải ngân vốn đầu tư công đạt {v}",
     "public investment disbursement reached {v}"),
)


def _headline(review: Review, lang: str) -> str:
    s = review.scorecard
    if review.closed:
        if lang == "vi":
            return f"Năm {review.year}, tỉnh đạt và vượt {s.met}/{s.total} chỉ tiêu chủ yếu"
        return f"In {review.year}, the province met or exceeded {s.met} of its {s.total} main targets"
    parts_vi = [(s.met, "đã đạt"), (s.on_track, "đúng tiến độ"), (s.at_risk, "có nguy cơ không đạt"),
                (s.missed, "không đạt"), (s.no_data, "chưa có số liệu")]
    parts_en = [(s.met, "met"), (s.on_track, "on track"), (s.at_risk, "at risk"),
                (s.missed, "missed"), (s.no_data, "without data yet")]
    if lang == "vi":
        listed = ", ".join(f"{n} {w}" for n, w in parts_vi if n)
        return f"Năm {review.year} (số liệu đến nay), trong {s.total} chỉ tiêu chủ yếu: {listed}"
    listed = ", ".join(f"{n} {w}" for n, w in parts_en if n)
    return f"In {review.year} so far, of {s.total} main targets: {listed}"


def _clause(review: Review, code: str, template: str, lang: str) -> str | None:
    value = review.province_values.get(code)
    ind = review.catalogue.get(code)
    if value is None or ind is None:
        return None
    text = template.format(v=fmt.quantity(value, ind.decimals, ind.unit, lang))
    previous = review.previous_values.get(code)
    if code == "POVERTY_RATE" and previous is not None:
        text += f" ({fmt.change_text(value - previous, ind.decimals, ind.unit, lang)})"
    return text


def _lower_first(name: str) -> str:
    """A name inside a sentence: "Tỷ lệ hộ nghèo" → "tỷ lệ hộ nghèo", an acronym (GRDP) kept."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _missed(review: Review, lang: str, named: set[str]) -> str | None:
    """The targets not met, each with its figure unless an earlier clause already gave it
    (`named`): the paragraph names each figure once."""
    missed = [t for t in review.targets if t.status in ("missed", "at_risk")]
    if not missed:
        return None
    items = []
    goal = "mục tiêu" if lang == "vi" else "target"
    for t in missed:
        d, unit = t.indicator.decimals, t.indicator.unit
        target = fmt.target_text(t.kind, t.low, t.high, t.indicator.decimals, t.indicator.unit, lang)
        if t.indicator.code in named:
            items.append(f"{_lower_first(t.indicator.name(lang))} ({goal} {target})")
            continue
        actual = (fmt.change_text(t.actual, d, unit, lang) if t.kind == "change"
                  else fmt.quantity(t.actual, d, unit, lang))
        items.append(f"{_lower_first(t.indicator.name(lang))} ({actual}, {goal} {target})")
    if lang == "vi":
        word = "chưa đạt" if review.closed else "có nguy cơ không đạt hoặc chưa đạt"
        return f"các chỉ tiêu {word}: " + ", ".join(items)
    return "targets not met: " + ", ".join(items)


def opening_paragraph(review: Review, lang: str = "vi") -> str:
    """The draft, clauses joined by semicolons as the office writes them, ending with a full stop."""
    if review.scorecard.total == 0:
        return (f"Năm {review.year} chưa có chỉ tiêu kế hoạch." if lang == "vi"
                else f"No targets were set for {review.year}.")
    clauses = [_headline(review, lang)]
    named: set[str] = set()
    if review.closed:
        for code, vi, en in CLAUSES:
            clause = _clause(review, code, vi if lang == "vi" else en, lang)
            if clause:
                clauses.append(clause)
                named.add(code)
    missed = _missed(review, lang, named)
    if missed:
        clauses.append(missed)
    return "; ".join(clauses) + "."
