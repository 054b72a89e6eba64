"""Who may do what: the role-by-action table of docs/clerk.md, as data.

Every view names the action it performs and asks `allowed` before doing anything; the
tests (tests/portal/test_roles.py) make every role try every action on every view, on its
own unit, a unit below it and another unit, and compare the answer with this table.

A scope says on which units a role may act:
- "own": the account's own unit;
- "below": a unit whose parent is the account's unit (a district's communes before 1 July
  2025; the province's districts before it and its communes from it);
- "all": any unit of the province.
An action on a period also needs the account's unit to have existed in it (a ceased unit's
accounts act only on periods in which it existed), and the unit acted on too.
"""

from __future__ import annotations

from dataclasses import dataclass

CLERK, REVIEWER, OFFICE = "don_vi", "nguoi_duyet", "cuc_thong_ke"
ROLE_NAMES = {CLERK: "Đơn vị báo cáo", REVIEWER: "Người duyệt", OFFICE: "Cục Thống kê"}


@dataclass(frozen=True)
class Action:
    code: str
    title_vi: str
    scopes: dict[str, str]  # role -> own | below | all; a role absent may not
    part: int = 1  # 2: sign-off and follow-up (docs/spec/portal.md, issue 29)


ACTIONS: dict[str, Action] = {a.code: a for a in [
    Action("see_unit", "xem trang đơn vị (các kỳ, số liệu đã công bố, phát hiện)",
           {CLERK: "own", REVIEWER: "below", OFFICE: "all"}),
    Action("download_template", "tải mẫu báo cáo", {CLERK: "own"}),
    Action("check_file", "tải lên và kiểm tra tệp", {CLERK: "own"}),
    Action("send_report", "gửi báo cáo", {CLERK: "own"}),
    Action("see_receipt", "xem biên nhận", {CLERK: "own", REVIEWER: "below", OFFICE: "all"}),
    Action("see_audit_log", "xem nhật ký thao tác", {OFFICE: "all"}),
    Action("manage_accounts", "quản lý tài khoản (trang quản trị)", {OFFICE: "all"}),
    # part 2: sign off and exceptions (views in views_signoff.py), follow-up (views_followup.py)
    Action("review_period", "xem trang duyệt kỳ của các đơn vị cấp dưới",
           {REVIEWER: "own", OFFICE: "all"}, part=2),
    Action("approve_period", "duyệt kỳ báo cáo của đơn vị", {REVIEWER: "below"}, part=2),
    Action("return_period", "trả lại kỳ báo cáo kèm lý do", {REVIEWER: "below"}, part=2),
    Action("accept_period", "chấp nhận kỳ của tỉnh", {OFFICE: "all"}, part=2),
    Action("bulk_approve", "duyệt hàng loạt các kỳ đã qua (khi bắt đầu dùng cổng)", {OFFICE: "all"}, part=2),
    Action("grant_exception", "cho phép sửa kỳ đã duyệt", {OFFICE: "all"}, part=2),
    Action("answer_finding", "giải trình / đã sửa một phát hiện", {CLERK: "own"}, part=2),
    Action("close_finding", "chấp nhận giải trình", {REVIEWER: "below"}, part=2),
]}


def in_scope(scope: str, own_unit: str, unit_code: str, parent_code: str | None) -> bool:
    if scope == "all":
        return True
    if scope == "own":
        return unit_code == own_unit
    return scope == "below" and parent_code == own_unit


def markdown_table() -> str:
    """The table as docs/clerk.md prints it (a test holds the two together)."""
    roles = (CLERK, REVIEWER, OFFICE)
    words = {"own": "đơn vị mình", "below": "đơn vị cấp dưới", "all": "mọi đơn vị"}
    lines = ["| hành động | " + " | ".join(ROLE_NAMES[r] for r in roles) + " | phần |",
             "|---|---|---|---|---|"]
    for a in ACTIONS.values():
        cells = [words.get(a.scopes.get(r, ""), "—") for r in roles]
        lines.append(f"| `{a.code}`: {a.title_vi} | " + " | ".join(cells) + f" | {a.part} |")
    return "\n".join(lines) + "\n"
