"""Find the reporting unit a sheet names, by GSO code or by name, valid in its period."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from base.reference import Unit, UnitChange, load_unit_changes, load_units
from base.rules import IngestProblem
from base.text import fold

_CODE = re.compile(r"^\d{2}(\d{1}|\d{3})?$")
# Issuing bodies clerks put before the unit's name in a letterhead ("UBND xã Ân Phú").
_ISSUERS = ("uy ban nhan dan ", "ubnd ", "hoi dong nhan dan ", "hdnd ")
# Unit types as written, full or abbreviated, folded -> the folded type of the unit list.
_TYPES = {
    "thanh pho": "thanh pho", "tp": "thanh pho", "tp.": "thanh pho",
    "thi tran": "thi tran", "tt": "thi tran", "tt.": "thi tran",
    "thi xa": "thi xa", "tx": "thi xa", "tx.": "thi xa",
    "phuong": "phuong", "p": "phuong", "p.": "phuong",
    "huyen": "huyen", "h": "huyen", "h.": "huyen",
    "tinh": "tinh", "xa": "xa", "x": "xa", "x.": "xa",
}
_TYPE_WORDS = sorted(_TYPES, key=len, reverse=True)
_PARTS = re.compile(r"\s*[,;\-–—]\s*")


@dataclass(frozen=True)
class WrittenName:
    """A unit's name as a clerk wrote it: its type (if given), its own name, its parents."""

    unit_type: str | None
    core: str
    parents: tuple[tuple[str | None, str], ...] = ()
    whole: str = ""  # the name before any type was split off ("tinh khe" is also a name)


def _split_type(part: str) -> tuple[str | None, str]:
    for word in _TYPE_WORDS:
        if part.startswith(word + " ") or (word.endswith(".") and part.startswith(word)):
            core = part[len(word):].strip()
            if core:
                return _TYPES[word], core
    return None, part


def read_name(text: str) -> WrittenName:
    """"UBND xã Ân Phú", "Xã Ân Phú, huyện Vũ Quang", "Ân Phú - Vũ Quang - Hà Tĩnh",
    "X. Ân Phú", "TT Vũ Quang", "TP Hà Tĩnh": the issuing body, the parents after a comma or
    dash, capitals and the usual abbreviations are letterhead, not the name."""
    key = fold(text)
    for issuer in _ISSUERS:
        if key.startswith(issuer):
            key = key[len(issuer):]
            break
    parts = [p for p in _PARTS.split(key) if p]
    if not parts:
        return WrittenName(None, key)
    unit_type, core = _split_type(parts[0])
    return WrittenName(unit_type, core, tuple(_split_type(p) for p in parts[1:]), parts[0])


def name_key(name: str) -> str:
    """A unit name without case, diacritics, letterhead or its type prefix ("Xã", "Phường")."""
    return read_name(name).core


def _type_key(unit: Unit) -> str:
    return fold(unit.unit_type)


class UnitError(IngestProblem):
    """The sheet's unit cannot be identified; the message says why, for the clerk."""


@dataclass
class UnitResolver:
    """Who may report a period (eras.md): the unit of that code or name that exists on the
    period's last day. A code reused across eras is resolved by the period; a unit that
    ceased is told where its territory went."""

    units: tuple[Unit, ...]
    changes: tuple[UnitChange, ...] = ()

    @classmethod
    def default(cls) -> UnitResolver:
        """The resolver of the seeds in use, built once per unit list (its indexes with it):
        a parse worker asks for it once a file."""
        units, changes = load_units(), load_unit_changes()
        cached = _DEFAULT.get(cls)
        if cached is None or cached.units is not units or cached.changes is not changes:
            cached = _DEFAULT[cls] = cls(units, changes)
        return cached

    @cached_property
    def _by_code(self) -> dict[str, list[Unit]]:
        """Every era of each code, in the list's order: a national list holds some 14,000
        units, and a scan of them per sheet cost more than reading the sheet."""
        index: dict[str, list[Unit]] = {}
        for unit in self.units:
            index.setdefault(unit.code, []).append(unit)
        return index

    @cached_property
    def _by_name(self) -> dict[str, list[tuple[int, Unit]]]:
        """Units by `name_key` of their name, with their place in the list (kept in order)."""
        index: dict[str, list[tuple[int, Unit]]] = {}
        for position, unit in enumerate(self.units):
            index.setdefault(name_key(unit.name), []).append((position, unit))
        return index

    @cached_property
    def _by_parent(self) -> dict[str, list[Unit]]:
        index: dict[str, list[Unit]] = {}
        for unit in self.units:
            if unit.parent_code:
                index.setdefault(unit.parent_code, []).append(unit)
        return index

    def prepare(self) -> UnitResolver:
        """Build the indexes now (a parse worker does, before its memory limit bites on a file)."""
        _ = self._by_code, self._by_name, self._by_parent
        return self

    def named(self, written: WrittenName) -> list[Unit]:
        """The units a written name can name (see `_names`), in the list's order."""
        keys = {written.core, written.whole}
        found = sorted(hit for key in keys for hit in self._by_name.get(key, ()))
        return [unit for _, unit in found]

    def children(self, parent_code: str, day: date) -> list[Unit]:
        """The units under `parent_code` that exist on `day`, in the list's order."""
        return [u for u in self._by_parent.get(parent_code, ()) if u.exists_on(day)]

    def resolve(self, code: str | None, name: str | None, first: date, last: date) -> Unit:
        if code:
            code = code.strip()
            if code.endswith(".0"):
                code = code[:-2]
            if not _CODE.match(code):
                raise UnitError("unknown_unit", f"unit code {code!r} is not a GSO code",
                                f"mã đơn vị '{code}' không phải mã của Tổng cục Thống kê")
            by_code = self._by_code.get(code, [])
            if not by_code:
                raise UnitError("unknown_unit", f"no unit has GSO code {code}",
                                f"không có đơn vị nào mang mã {code}")
            unit = self._existing(by_code, f"unit code {code}", last, f"mã đơn vị {code}")
            if name and not self._confirms(read_name(name), unit):
                era = next((u for u in by_code if u is not unit and self._names(read_name(name), u)),
                           None)
                if era is not None:
                    raise UnitError("unit_mismatch", f"unit code {code} is {unit.name} for a period "
                                                     f"ending {last}, but the sheet names {name!r}: "
                                                     f"{self.why_not(era, last)}")
                raise UnitError("unit_mismatch", f"unit code {code} is {unit.name}, but the sheet "
                                                 f"names {name!r}; correct one of them")
            return unit
        if not name:
            raise UnitError("unknown_unit", "no unit code or unit name found above the table",
                            "không thấy mã hoặc tên đơn vị phía trên bảng")
        written = read_name(name)
        by_name = self.named(written)
        if not by_name:
            raise UnitError("unknown_unit", f"no unit is named {name!r} in this province"
                            + self._suggest(written))
        if len(by_name) > 1:  # namesakes at two levels or in two districts: type, then parents
            typed = [u for u in by_name if written.unit_type == _type_key(u)]
            by_name = self._narrowed(written, typed or by_name, last)
        return self._existing(by_name, f"unit {name!r}", last, f"đơn vị '{name}'")

    def in_any_era(self, text: str, today: date) -> list[Unit]:
        """The units a code or name can stand for in any era (a re-ingest spans them all):
        a code's every era; a name's units read as a sheet's name is (the type written
        decides between namesakes, then the parents after a comma), in the list's order.
        Several codes among them make the name ambiguous; none, unknown."""
        text = text.strip()
        if _CODE.match(text):
            return list(self._by_code.get(text, ()))
        written = read_name(text)
        found = self.named(written)
        if len({u.code for u in found}) > 1:
            typed = [u for u in found if written.unit_type == _type_key(u)]
            found = self._narrowed(written, typed or found, today)
        return found

    def describe(self, unit: Unit, today: date) -> str:
        """'Huyện Hương Sơn (439, Tỉnh Hà Tĩnh; until 30/06/2025)': a candidate, told apart."""
        day = min(unit.valid_to, today)
        when = (f"until {unit.valid_to:%d/%m/%Y}" if unit.valid_to < today else
                f"from {unit.valid_from:%d/%m/%Y}" if unit.valid_from.year > 1900 else "today")
        return f"{unit.name} ({self._place(unit, day)}; {when})"

    @staticmethod
    def _names(written: WrittenName, unit: Unit) -> bool:
        """Whether a written name can name `unit`. The type written ("xa", "TT") is not
        required to agree (clerks mix them up); it only decides between namesakes."""
        return name_key(unit.name) in (written.core, written.whole)

    def _confirms(self, written: WrittenName, unit: Unit) -> bool:
        """A name beside a code confirms it unless it clearly names another unit: another
        name, or the type of a namesake ("TP Hà Tĩnh" beside 42, Tỉnh Hà Tĩnh)."""
        if not self._names(written, unit):
            return False
        if written.unit_type is None or written.unit_type == _type_key(unit):
            return True
        return not any(u.code != unit.code and _type_key(u) == written.unit_type
                       for u in self.named(written))

    def _narrowed(self, written: WrittenName, units: list[Unit], last: date) -> list[Unit]:
        """Keep the units whose parents match the parents written after a comma or dash."""
        if not written.parents:
            return units
        by_code = {u.code: u for u in self.units if u.exists_on(last) or u.valid_to < last}
        keep = []
        for unit in units:
            ancestors, code = [], unit.parent_code
            while code and code in by_code and len(ancestors) < 5:
                ancestors.append(by_code[code])
                code = by_code[code].parent_code
            if all(any(name_key(a.name) == core and t in (None, _type_key(a)) for a in ancestors)
                   for t, core in written.parents):
                keep.append(unit)
        return keep or units

    def _suggest(self, written: WrittenName) -> str:
        names = {name_key(u.name): u.name for u in self.units}
        close = difflib.get_close_matches(written.core, list(names), n=3, cutoff=0.75)
        return f"; did you mean {', '.join(sorted({names[c] for c in close}))}?" if close else ""

    def _existing(self, candidates: list[Unit], what: str, last: date, what_vi: str) -> Unit:
        valid = [u for u in candidates if u.exists_on(last)]
        if len(valid) == 1:
            return valid[0]
        if not valid:
            raise UnitError("unit_not_valid", f"{what} may not report a period ending {last}: "
                            + "; ".join(self.why_not(u, last) for u in candidates),
                            f"{what_vi} không được báo cáo kỳ kết thúc ngày {last:%d/%m/%Y}: "
                            + "; ".join(self.why_not(u, last, "vi") for u in candidates))
        names = ", ".join(f"{u.name} ({self._place(u, last)})" for u in valid)
        raise UnitError("ambiguous_unit", f"{what} matches several units: {names}; give the code, "
                        "or the district or province after a comma",
                        f"{what_vi} trùng với nhiều đơn vị: {names}; ghi mã đơn vị, hoặc ghi huyện, "
                        "tỉnh sau dấu phẩy")

    def _place(self, unit: Unit, last: date) -> str:
        """The unit's code and its parents on `last` ("18919, Huyện Minh Hóa, Tỉnh Quảng
        Bình"): namesakes of a merged province differ by their old district and province."""
        parts, code = [unit.code], unit.parent_code
        while code and len(parts) < 4:
            parent = next((u for u in self._by_code.get(code, ()) if u.exists_on(last)), None)
            if parent is None:
                break
            parts.append(parent.name)
            code = parent.parent_code
        return ", ".join(parts)

    def why_not(self, unit: Unit, last: date, lang: str = "en") -> str:
        """Why `unit` may not report a period ending on `last`, and whom to report as (the
        successor's name), in English or Vietnamese (`validate --lang vi`)."""
        say = _WHY[lang]
        day = (lambda d: d.isoformat()) if lang == "en" else (lambda d: f"{d:%d/%m/%Y}")
        it = f"{unit.name} ({unit.code})"
        if unit.valid_from > last:
            return say["from"].format(it=it, day=day(unit.valid_from))
        if unit.valid_to >= date.max - timedelta(days=1):
            return say["exists"].format(it=it)
        changed_on = unit.valid_to + timedelta(days=1)
        successors = [c for c in self.changes
                      if c.old_code == unit.code and c.effective_date == changed_on]
        if successors:
            into = say["and"].join(f"{c.new_name} ({c.new_code})" for c in successors)
            report_as = say["or"].join(c.new_name for c in successors)
            return say["merged" if len(successors) == 1 else "divided"].format(
                it=it, into=into, day=day(changed_on), report_as=report_as)
        later = [u for u in self._by_code.get(unit.code, ()) if u.valid_from == changed_on]
        if later:
            return say["became"].format(it=it, into=f"{later[0].name} ({unit.code})", day=day(changed_on),
                                        report_as=later[0].name)
        return say["ceased"].format(it=it, day=day(unit.valid_to))


_DEFAULT: dict[type, UnitResolver] = {}

_WHY = {
    "en": {"from": "{it} exists only from {day}", "exists": "{it} exists",
           "merged": "{it} was merged into {into} on {day}; report as {report_as}",
           "divided": "{it} was divided between {into} on {day}; report as {report_as}",
           "became": "{it} became {into} on {day}; report as {report_as}",
           "ceased": "{it} ceased on {day}", "and": " and ", "or": " or "},
    "vi": {"from": "{it} chỉ có từ ngày {day}", "exists": "{it} vẫn tồn tại",
           "merged": "{it} đã sáp nhập vào {into} từ ngày {day}; hãy báo cáo với tên {report_as}",
           "divided": "{it} đã chia về {into} từ ngày {day}; hãy báo cáo với tên {report_as}",
           "became": "{it} đã trở thành {into} từ ngày {day}; hãy báo cáo với tên {report_as}",
           "ceased": "{it} đã giải thể ngày {day}", "and": " và ", "or": " hoặc "},
}
