"""The review's fixed wording in Vietnamese and English (`--lang en`)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Báo cáo đánh giá kết quả thực hiện các chỉ tiêu chủ yếu năm {year}",
        "subtitle": "{province} — số liệu công bố lúc {published}, lập ngày {today}",
        "in_progress": "Năm {year} chưa kết thúc: các chỉ tiêu được đánh giá theo tiến độ đến nay.",
        "opening": "Dự thảo đoạn mở đầu",
        "opening_note": "Câu văn được ghép từ các mẫu câu cố định và số liệu của kho dữ liệu; "
                        "cần rà soát trước khi dùng.",
        "scorecard": "Kết quả chung",
        "headline_closed": "Đạt và vượt {met}/{total} chỉ tiêu",
        "headline_open": "{met}/{total} chỉ tiêu đã đạt, {on_track} đúng tiến độ",
        "targets": "Kết quả thực hiện từng chỉ tiêu",
        "indicator": "Chỉ tiêu", "unit": "ĐVT", "target": "Mục tiêu", "actual": "Thực hiện",
        "gap": "Chênh lệch", "status": "Tình trạng", "attainment": "Mức đạt (tốt hơn →)",
        "partial": "số liệu chưa đủ cả năm",
        "unapproved": "Số liệu chưa được duyệt",
        "approval": "Duyệt", "approved_word": "đã duyệt", "unapproved_word": "chưa duyệt",
        "opening_unapproved": "‡ Số liệu năm {year} của tỉnh chưa được duyệt.",
        "breakdown_district": "Theo đơn vị cấp huyện (số liệu như đã báo cáo)",
        "breakdown_commune": "Theo xã, phường (trên đơn vị hành chính hiện nay)",
        "breakdown_note": "Xếp theo tỷ lệ hộ nghèo, cao nhất trước.",
        "approximate": "ước tính (xã chia tách chưa có tỷ lệ phân chia)",
        "unit_name": "Đơn vị", "own_target": "Chỉ tiêu riêng của đơn vị",
        "unit_targets": "Chỉ tiêu giao cho các đơn vị",
        "completeness": "Tình hình gửi báo cáo",
        "period": "Kỳ báo cáo", "expected": "Phải gửi", "received": "Đã nhận", "on_time": "Đúng hạn",
        "pct": "Tỷ lệ đã nhận", "missing": "Đơn vị chưa gửi",
        "late_units": "Đơn vị gửi muộn hoặc thiếu nhiều nhất",
        "late_or_missing": "Muộn hoặc thiếu",
        "findings": "Các vấn đề về chất lượng số liệu",
        "rule": "Loại vấn đề", "severity": "Mức độ", "count": "Số lượng", "where": "Nơi cần xem",
        "no_findings": "Không có vấn đề nào.",
        "no_targets": "Không có chỉ tiêu.",
        "error": "Lỗi (không nạp)", "warning": "Cảnh báo",
        "more": "và {n} đơn vị khác",
        "page": "Trang",
        "stat_met": "Đạt", "stat_exceeded": "Vượt", "stat_missed": "Không đạt",
        "stat_at_risk": "Có nguy cơ", "stat_on_track": "Đúng tiến độ", "stat_no_data": "Chưa có số liệu",
        "sheet_province": "Tỉnh", "sheet_district": "Huyện", "sheet_commune": "Xã",
        "sheet_completeness": "Báo cáo đã nhận", "sheet_findings": "Chất lượng số liệu",
        "target_low": "Mục tiêu (dưới)", "target_high": "Mục tiêu (trên)", "target_kind": "Loại mục tiêu",
        "code": "Mã",
        # The administrative frame (Decree 30/2020/NĐ-CP), see frame.py.
        "issuer_parent": "UBND {province}", "issuer": "CỤC THỐNG KÊ", "number": "Số: …/BC-CTK",
        "motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto_sub": "Độc lập - Tự do - Hạnh phúc",
        "doc_kind": "BÁO CÁO",
        "subject_closed": "Kết quả thực hiện các chỉ tiêu chủ yếu năm {year}",
        "subject_open": "Tình hình thực hiện các chỉ tiêu chủ yếu năm {year}",
        "recipients_title": "Nơi nhận:",
        "recipients": "UBND {province} (để báo cáo);|Các sở, ban, ngành cấp tỉnh;|Lưu: VT, TKTH.",
        "signer": "CỤC TRƯỞNG", "sign_note": "(Ký, ghi rõ họ tên, đóng dấu)",
        "signer_name": "………………………………",
        "reform": "Từ ngày {day} tỉnh có {n} đơn vị hành chính cấp xã mới; số liệu trước ngày này "
                  "được tính cho các đơn vị như khi báo cáo rồi chuyển sang {n} xã, phường hiện nay "
                  "theo danh sách chuyển đổi đơn vị cũ – mới.",
        "action": "Cần làm",
    },
    "en": {
        "title": "Review of the main targets, {year}",
        "subtitle": "{province} — data published {published}, report of {today}",
        "in_progress": "{year} is not over: targets are judged on progress so far.",
        "opening": "Draft opening paragraph",
        "opening_note": "Built from fixed sentence templates and the warehouse's figures; review before use.",
        "scorecard": "Overall result",
        "headline_closed": "{met} of {total} targets met or exceeded",
        "headline_open": "{met} of {total} targets met, {on_track} on track",
        "targets": "Every target",
        "indicator": "Indicator", "unit": "Unit", "target": "Target", "actual": "Actual",
        "gap": "Gap", "status": "Status", "attainment": "Attainment (better →)",
        "partial": "less than a whole year of data",
        "unapproved": "Figures not yet approved",
        "approval": "Approval", "approved_word": "approved", "unapproved_word": "not yet approved",
        "opening_unapproved": "‡ The province's figures for {year} are not yet approved.",
        "breakdown_district": "By district (as reported)",
        "breakdown_commune": "By commune (on today's units)",
        "breakdown_note": "Ordered by poverty rate, highest first.",
        "approximate": "approximate (split commune without a share)",
        "unit_name": "Unit", "own_target": "The unit's own targets",
        "unit_targets": "Targets set for units",
        "completeness": "Reports received",
        "period": "Period", "expected": "Expected", "received": "Received", "on_time": "On time",
        "pct": "Received", "missing": "Not yet sent",
        "late_units": "Units most often late or missing",
        "late_or_missing": "Late or missing",
        "findings": "Data-quality findings",
        "rule": "Finding", "severity": "Severity", "count": "Count", "where": "Where to look",
        "no_findings": "No findings.",
        "no_targets": "No targets.",
        "error": "Error (not loaded)", "warning": "Warning",
        "more": "and {n} more",
        "page": "Page",
        "stat_met": "Met", "stat_exceeded": "Exceeded", "stat_missed": "Missed",
        "stat_at_risk": "At risk", "stat_on_track": "On track", "stat_no_data": "No data",
        "sheet_province": "Province", "sheet_district": "Districts", "sheet_commune": "Communes",
        "sheet_completeness": "Reports received", "sheet_findings": "Data quality",
        "target_low": "Target (low)", "target_high": "Target (high)", "target_kind": "Target kind",
        "code": "Code",
        "issuer_parent": "PEOPLE'S COMMITTEE OF {province}", "issuer": "STATISTICS OFFICE",
        "number": "No.: …/BC-CTK",
        "motto": "SOCIALIST REPUBLIC OF VIET NAM", "motto_sub": "Independence - Freedom - Happiness",
        "doc_kind": "REPORT",
        "subject_closed": "Results of the main targets, {year}",
        "subject_open": "Progress on the main targets, {year}",
        "recipients_title": "To:",
        "recipients": "People's Committee of {province} (for report);|Provincial departments;|"
                      "Archive.",
        "signer": "DIRECTOR", "sign_note": "(Signature, full name, seal)",
        "signer_name": "………………………………",
        "reform": "From {day} the province has {n} new communes; figures before that day are counted "
                  "for the units as they were and carried to today's {n} communes by the "
                  "old-to-new list.",
        "action": "What to do",
    },
}

def rule_text(rule: str, lang: str) -> str:
    """A finding rule's title from the rule registry (base/rules.py), the one the clerk's
    `validate --lang vi` prints too: Vietnamese or English, first letter capital."""
    from base.rules import RULES

    found = RULES.get(rule)
    if found is None:
        return rule.replace("_", " ")
    title = found.title_vi if lang == "vi" else found.title_en
    return title[:1].upper() + title[1:]


def rule_action(rule: str, lang: str) -> str | None:
    """What to do about a finding, in Vietnamese (the registry has no English one)."""
    from base.rules import RULES

    found = RULES.get(rule)
    return found.action_vi if found is not None and lang == "vi" else None
