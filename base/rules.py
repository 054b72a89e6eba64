"""Every finding's rule, in one list: what it means, how serious it is, and what a clerk does.

The reader (ingest/) and the warehouse (dbt models) produce findings; both name their rule
with a code from this registry, and nothing else. From it come the dbt seed
`finding_rules.csv` (a relationships test holds `data_quality_findings.rule` to it) and
`docs/rules.md`: `python -m ingest rules --write` regenerates both, and a test fails when
either is stale or when any code in the Python or the SQL is missing here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = PROJECT_DIR / "dbt_project" / "seeds" / "finding_rules.csv"
DOC = PROJECT_DIR / "docs" / "rules.md"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # error: refused or quarantined; warning: loaded and flagged; info: noted
    found_by: str  # ingest (the reader, per file) or warehouse (dbt, across files)
    scope: str  # file, sheet, row or figure: what is refused or flagged
    title_en: str
    title_vi: str
    action_vi: str  # what the clerk (or the reviewer, for warehouse rules) should do


# Rules the reader no longer writes, kept so that findings in a warehouse ingested by an
# earlier version still name a known rule (the marts' relationship test).
RETIRED = frozenset({"parser_error"})


def _r(code: str, severity: str, found_by: str, scope: str, title_en: str, title_vi: str,
       action_vi: str) -> Rule:
    return Rule(code, severity, found_by, scope, title_en, title_vi, action_vi)


RULES: dict[str, Rule] = {r.code: r for r in [
    # --- the file as a whole (ingest/sources.py, guard.py, pipeline.py)
    _r("unsupported_format", "error", "ingest", "file", "a file type that is not read",
       "loại tệp không được đọc", "Gửi lại dạng .xlsx, .xls, .ods hoặc .csv."),
    _r("too_large", "error", "ingest", "file", "too large, or expands too far (zip bomb, a cell far "
       "below or right of the table)", "tệp quá lớn hoặc vùng dữ liệu quá rộng",
       "Xóa các ô thừa ở xa bảng số liệu, lưu lại và gửi lại."),
    _r("empty_file", "error", "ingest", "file", "the file is empty (0 bytes)", "tệp rỗng",
       "Lưu lại báo cáo và gửi lại."),
    _r("corrupt_file", "error", "ingest", "file", "the file cannot be read as a workbook or CSV",
       "tệp bị hỏng, không đọc được", "Mở tệp bằng Excel, lưu lại và gửi lại."),
    _r("unsafe_file", "error", "ingest", "file", "the workbook holds an unsafe part name",
       "tệp chứa thành phần không an toàn", "Lưu lại bằng Excel thành tệp mới và gửi lại."),
    _r("password_protected", "error", "ingest", "file", "the workbook is password-protected",
       "tệp có mật khẩu", "Bỏ mật khẩu rồi gửi lại."),
    _r("bad_encoding", "error", "ingest", "file", "a CSV in an unknown text encoding",
       "tệp CSV sai bảng mã", "Lưu dạng 'CSV UTF-8' hoặc 'Unicode Text'."),
    _r("symlink", "error", "ingest", "file", "a link to another file, never followed",
       "lối tắt tới tệp khác, không được đọc", "Đặt chính tệp báo cáo vào thư mục nhận."),
    _r("hard_link", "error", "ingest", "file", "a hard link (the same file under another name, "
       "perhaps outside the inbox), never read", "tệp liên kết cứng tới tệp khác, không được đọc",
       "Đặt bản sao của chính tệp báo cáo vào thư mục nhận."),
    _r("unreadable_path", "error", "ingest", "file", "a folder or file in the inbox the pipeline "
       "may not read", "thư mục hoặc tệp không đọc được",
       "Báo quản trị máy chủ cấp quyền đọc cho thư mục nhận."),
    _r("file_name_not_utf8", "warning", "ingest", "file", "a file name that is not UTF-8, read "
       "with its odd bytes escaped", "tên tệp không phải mã Unicode",
       "Đặt lại tên tệp bằng tiếng Việt có dấu (Unicode) khi gửi lần sau."),
    _r("file_time_untrusted", "warning", "ingest", "file", "a file time in the future or beyond "
       "any calendar, not trusted", "thời gian của tệp ở tương lai, không dùng",
       "Kiểm tra đồng hồ của máy tính gửi báo cáo."),
    _r("internal_error", "warning", "ingest", "file", "chitieu could not check the file: an "
       "internal error of ours (not the file's fault), told to the office; read again next night",
       "chitieu không kiểm tra được tệp này: lỗi nội bộ của hệ thống, không phải lỗi của tệp",
       "Không cần gửi lại: văn phòng đã được báo; tệp sẽ được đọc lại vào đêm sau."),
    _r("parse_interrupted", "warning", "ingest", "file", "the server stopped the reader twice "
       "(not the file's fault): read again next night", "máy chủ dừng trình đọc, sẽ đọc lại",
       "Không cần làm gì: tệp sẽ được đọc lại vào đêm sau."),
    _r("parse_memory_limit", "error", "ingest", "file", "reading the file needed more memory than "
       "one report may", "đọc tệp cần quá nhiều bộ nhớ",
       "Sao chép riêng bảng báo cáo sang tệp mới và gửi lại."),
    _r("parse_time_limit", "error", "ingest", "file", "reading the file took longer than one "
       "report may", "đọc tệp quá lâu", "Sao chép riêng bảng báo cáo sang tệp mới và gửi lại."),
    _r("parse_crash", "error", "ingest", "file", "the file made the reader crash",
       "tệp làm trình đọc bị lỗi", "Mở tệp bằng Excel, lưu lại và gửi lại."),
    # retired: the reader no longer writes it (our own failures are internal_error, issue 24),
    # but a warehouse ingested before keeps its findings, which must still name a known rule
    _r("parser_error", "error", "ingest", "sheet", "the sheet could not be parsed (written by "
       "earlier versions only)", "không đọc được trang tính",
       "Mở tệp bằng Excel, lưu lại và gửi lại."),
    # --- a sheet (ingest/layouts.py, units.py, targets.py, parse.py)
    _r("hidden_sheet", "info", "ingest", "sheet", "a hidden sheet, not read", "trang tính bị ẩn, "
       "không đọc", "Nếu trang ẩn chứa số liệu, bỏ ẩn và gửi lại."),
    _r("no_table", "info", "ingest", "sheet", "no indicator table on the sheet",
       "trang tính không có bảng chỉ tiêu", "Không cần làm gì nếu trang này không phải báo cáo."),
    _r("bad_period", "error", "ingest", "sheet", "the reporting period cannot be read",
       "không đọc được kỳ báo cáo", "Ghi kỳ báo cáo như 'Năm 2021', 'Tháng 12/2021', 'Quý IV/2021'."),
    _r("unknown_unit", "error", "ingest", "sheet", "no unit of that code or name",
       "không có đơn vị với mã hoặc tên này", "Ghi đúng mã đơn vị (mã GSO) và tên đơn vị."),
    _r("ambiguous_unit", "error", "ingest", "sheet", "the name fits more than one unit",
       "tên đơn vị trùng với nhiều đơn vị", "Ghi thêm mã đơn vị (mã GSO)."),
    _r("unit_mismatch", "error", "ingest", "sheet", "the code and the name are different units",
       "mã và tên đơn vị không khớp", "Sửa mã hoặc tên cho khớp với danh mục đơn vị."),
    _r("unit_not_valid", "error", "ingest", "sheet", "the unit did not exist for that period "
       "(merged, split or not yet created)", "đơn vị không tồn tại trong kỳ báo cáo",
       "Báo cáo dưới tên đơn vị mới theo sắp xếp đơn vị hành chính."),
    _r("unit_not_in_district", "error", "ingest", "row", "a commune row of a district's table "
       "that is not one of its communes", "xã không thuộc huyện báo cáo",
       "Sửa mã hoặc tên xã trong bảng tổng hợp của huyện."),
    _r("not_reported_by_level", "error", "ingest", "row", "an element this level does not report",
       "chỉ tiêu không thuộc cấp báo cáo này", "Bỏ dòng này; chỉ tiêu do cấp khác báo cáo."),
    _r("unknown_indicator", "error", "ingest", "row", "an indicator code not in the catalogue",
       "mã chỉ tiêu không có trong danh mục", "Ghi đúng mã chỉ tiêu theo mẫu."),
    _r("duplicate_element", "error", "ingest", "row", "one element given twice in one sheet "
       "(a warning when both give the same value)", "một chỉ tiêu ghi hai lần trong một trang",
       "Giữ một dòng cho mỗi chỉ tiêu và gửi lại."),
    _r("total_mismatch", "warning", "ingest", "row", "a stated total differs from the sum of its "
       "rows (from the warehouse: a unit's own total differs from its units' roll-up)",
       "dòng tổng cộng khác tổng các dòng", "Kiểm tra lại dòng tổng cộng và các dòng thành phần."),
    _r("outside_collection_dates", "warning", "ingest", "row", "an element sent for a period it is "
       "not collected in (COVID-19 cases in 2026): loaded and flagged, with its collection dates",
       "chỉ tiêu không thu thập trong kỳ này", "Kiểm tra lại kỳ báo cáo; bỏ dòng này nếu chỉ tiêu đã "
       "ngừng thu thập."),
    _r("empty_template_row", "warning", "ingest", "row", "a row of the template left empty (not "
       "reported; a unit may have nothing to report)", "dòng của mẫu để trống",
       "Điền số liệu; ghi '-' nếu không phát sinh, '...' nếu không thu thập được."),
    _r("bad_target", "error", "ingest", "row", "a target row that cannot be read",
       "dòng chỉ tiêu kế hoạch không đọc được", "Sửa ô được nêu theo hướng dẫn của mẫu."),
    _r("duplicate_target", "warning", "ingest", "row", "a target given twice; the newest row wins",
       "chỉ tiêu kế hoạch ghi hai lần", "Giữ một dòng cho mỗi chỉ tiêu kế hoạch."),
    _r("blank_report", "error", "ingest", "sheet", "a report holding no value at all (a blank "
       "template sent by mistake): refused, it replaces nothing", "báo cáo không có số liệu nào "
       "(gửi nhầm mẫu trống)", "Điền số liệu vào mẫu rồi gửi lại; báo cáo trước vẫn được dùng."),
    # --- a value (ingest/values.py)
    _r("excel_error", "error", "ingest", "row", "an Excel error value (#DIV/0!, #REF! …)",
       "ô có lỗi công thức Excel", "Sửa công thức hoặc nhập số trực tiếp."),
    _r("not_a_number", "error", "ingest", "row", "text where a number is expected",
       "ô không phải là số", "Nhập số; dùng '-', '...' hoặc 'x' theo quy ước GSO."),
    _r("not_whole", "error", "ingest", "row", "a fraction where a count is expected",
       "số đếm không phải số nguyên", "Nhập số nguyên."),
    _r("not_yes_no", "error", "ingest", "row", "not a yes/no answer", "không phải Đạt / Chưa đạt",
       "Chọn Đạt hoặc Chưa đạt."),
    _r("out_of_range", "error", "ingest", "row", "outside the catalogue's valid range",
       "giá trị ngoài khoảng hợp lệ", "Kiểm tra lại số liệu và đơn vị tính."),
    # --- beside the unit's usual level (the warehouse; `validate` beside the last published
    # value, clerk/file_checks.py)
    _r("percent_as_fraction", "warning", "warehouse", "figure", "a percentage typed as a fraction "
       "(0,0502 for 5,02 %) where the last published value is above 1",
       "tỷ lệ phần trăm ghi dạng phân số", "Ghi số phần trăm (5,02 cho 5,02 %), không ghi 0,0502."),
    _r("far_from_last_value", "warning", "ingest", "row", "far above or far below the unit's last "
       "published value (a digit added or dropped?)", "khác xa số đã công bố kỳ trước",
       "Kiểm tra lại số chữ số; nếu đúng, ghi chú lý do khi gửi."),
    # --- the warehouse (dbt_project/models/intermediate)
    _r("households_composition", "warning", "warehouse", "figure", "poor + near-poor households "
       "exceed all households", "hộ nghèo và cận nghèo nhiều hơn tổng số hộ",
       "Rà soát số hộ với đơn vị báo cáo."),
    _r("vax18_dose_order", "warning", "warehouse", "figure", "more second doses than first doses, "
       "or first doses than people (18+)", "số mũi 2 vượt mũi 1 (hoặc mũi 1 vượt dân số) từ 18 tuổi",
       "Rà soát số liệu tiêm chủng với đơn vị báo cáo."),
    _r("vax12_dose_order", "warning", "warehouse", "figure", "more second doses than first doses, "
       "or first doses than children (12–17)", "số mũi 2 vượt mũi 1 (hoặc mũi 1 vượt dân số) 12–17 "
       "tuổi", "Rà soát số liệu tiêm chủng với đơn vị báo cáo."),
    _r("ntm_hierarchy", "warning", "warehouse", "figure", "more model or advanced NTM communes than "
       "NTM communes", "số xã NTM kiểu mẫu/nâng cao vượt số xã đạt chuẩn",
       "Rà soát số liệu nông thôn mới."),
    _r("covid_outcomes", "warning", "warehouse", "figure", "more recoveries and deaths than cases",
       "số khỏi và tử vong vượt số ca mắc", "Rà soát số liệu COVID-19."),
    _r("indicator_out_of_range", "warning", "warehouse", "figure", "a computed indicator outside "
       "its valid range", "chỉ tiêu tính ra ngoài khoảng hợp lệ", "Rà soát các số liệu thành phần."),
    _r("outlier", "warning", "warehouse", "figure", "far from the unit's own history",
       "khác thường so với các kỳ trước của đơn vị", "Hỏi lại đơn vị báo cáo để xác nhận."),
    _r("outside_minmax_band", "warning", "warehouse", "figure", "outside the band set for it",
       "ngoài ngưỡng đã đặt", "Hỏi lại đơn vị báo cáo để xác nhận."),
    _r("conflicting_pieces", "warning", "warehouse", "figure", "two current pieces of a report "
       "disagree (the newer is used)", "hai phần của cùng báo cáo ghi khác nhau",
       "Xác nhận số đúng với đơn vị báo cáo."),
    _r("replaced_value", "warning", "warehouse", "figure", "a value replaced by a newer report",
       "số liệu đã được báo cáo sau thay thế", "Không cần làm gì; để rà soát các lần sửa."),
    _r("dropped_element", "warning", "warehouse", "figure", "an element an older report gave and "
       "its correction leaves out (no longer current)", "chỉ tiêu có trong báo cáo trước nhưng bị "
       "bỏ trong báo cáo sửa", "Hỏi đơn vị báo cáo: nếu bỏ sót, gửi lại báo cáo đầy đủ."),
    _r("same_time_conflict", "warning", "warehouse", "figure", "two reports sent at the same time "
       "disagree", "hai báo cáo gửi cùng lúc ghi khác nhau", "Hỏi đơn vị báo cáo số nào đúng."),
]}


class IngestProblem(ValueError):
    """The one base of the reader's exceptions: `rule` is a registered code (the finding it
    becomes), the message says what is wrong in plain words, for the clerk."""

    def __init__(self, rule: str, message: str, message_vi: str | None = None) -> None:
        super().__init__(message)
        if rule not in RULES:
            raise KeyError(f"unregistered finding rule {rule!r}: add it to base/rules.py")
        self.rule = rule
        self.message_vi = message_vi  # the same, in Vietnamese, for `validate --lang vi`


def rule(code: str) -> Rule:
    """The registered rule; an unregistered code is a programming error, caught by the tests."""
    return RULES[code]


def in_vietnamese(code: str, detail_vi: str | None, detail_en: str = "") -> str:
    """The sentence a clerk, a reviewer or an analyst reads for a finding: the rule's title, the
    detail when there is one in Vietnamese, and what to do. Never an English detail: the title
    and the action say enough without it (an unregistered code keeps the detail it has)."""
    found = RULES.get(code)
    if found is None:
        return detail_vi or detail_en
    title = found.title_vi[:1].upper() + found.title_vi[1:]
    return title + (f": {detail_vi}" if detail_vi else "") + f". {found.action_vi}"


def seed_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rule", "severity", "found_by", "scope", "title_en", "title_vi"])
    for r in RULES.values():
        writer.writerow([r.code, r.severity, r.found_by, r.scope, r.title_en, r.title_vi])
    return out.getvalue()


def rules_markdown() -> str:
    lines = ["# Finding rules", "",
             "Generated from `base/rules.py` by `python -m ingest rules --write`; do not edit.",
             "Every finding in `raw.findings` and `marts.data_quality_findings` names one of these.",
             "",
             "| rule | severity | found by | scope | what it means | tiếng Việt | what to do |",
             "|---|---|---|---|---|---|---|"]
    for r in RULES.values():
        lines.append(f"| `{r.code}` | {r.severity} | {r.found_by} | {r.scope} | {r.title_en} | "
                     f"{r.title_vi} | {r.action_vi} |")
    return "\n".join(lines) + "\n"


def write_generated() -> list[Path]:
    """Write the seed and the doc; returns the files that changed."""
    changed = []
    for path, text in ((SEED, seed_csv()), (DOC, rules_markdown())):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
