"""`python -m portal create_accounts`: one account per unit and role from the unit list, and a
printable sheet of first-time passwords (mode 0600, its owner's only). Existing accounts are
left alone; the first login asks each person for a new password."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from base.reference import load_units
from portal.office.models import Account, record
from portal.office.roles import CLERK, OFFICE, REVIEWER, ROLE_NAMES

# Which roles each level's unit gets: every unit sends; a district and the province review
# the units below them; the province's statistics office runs the portal.
ROLES_BY_LEVEL = {"commune": (CLERK,), "district": (CLERK, REVIEWER), "province": (CLERK, REVIEWER, OFFICE)}
SHORT = {CLERK: "bc", REVIEWER: "duyet", OFFICE: "ctk"}
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


class FirstPasswordHasher(PBKDF2PasswordHasher):
    """The framework's PBKDF2 with fewer rounds, for first-time passwords only: each is 16
    random characters (about 79 bits) printed on paper and replaced at the first login, and
    Django re-hashes it at full strength the moment it is used (the hasher's `must_update`).
    Full rounds for 300 accounts would take minutes on a busy server."""

    iterations = 20_000


def username(unit_code: str, role: str) -> str:
    return f"{SHORT[role]}{unit_code}"


def first_password() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


class Command(BaseCommand):
    help = "Tạo tài khoản cho mỗi đơn vị và vai trò; ghi phiếu mật khẩu lần đầu (chỉ chủ tệp đọc được)."

    def add_arguments(self, parser):
        parser.add_argument("--sheet", type=Path, required=True,
                            help="phiếu mật khẩu lần đầu để in (ghi mới, quyền 0600)")
        parser.add_argument("--password", default=None,
                            help="one password for every new account (demo and tests only)")

    def handle(self, *args, sheet: Path, password: str | None, **options):
        made = []
        with transaction.atomic():
            order = sorted(load_units(), key=lambda u: (u.level != "province", u.level != "district", u.code))
            for unit in order:
                for role in ROLES_BY_LEVEL.get(unit.level, ()):
                    name = username(unit.code, role)
                    if User.objects.filter(username=name).exists():
                        continue
                    secret = password or first_password()
                    user = User(username=name, first_name=unit.name[:150], is_staff=role == OFFICE,
                                is_superuser=role == OFFICE,
                                password=make_password(secret, hasher=FirstPasswordHasher()))
                    user.save()
                    Account.objects.create(user=user, unit_code=unit.code, role=role)
                    made.append((unit, role, name, secret))
            record("create_accounts", "create_accounts", created=len(made))
        if not made:  # a sheet already printed is never overwritten with nothing
            self.stdout.write("không có tài khoản mới")
            return
        sheet.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(sheet, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("PHIẾU MẬT KHẨU LẦN ĐẦU — CỔNG BÁO CÁO CHỈ TIÊU\n")
            out.write("Lần đăng nhập đầu tiên, cổng yêu cầu đặt mật khẩu mới. Giữ phiếu này kín.\n\n")
            for unit, role, name, secret in made:
                out.write(f"{unit.name} ({unit.code}) — {ROLE_NAMES[role]}\n"
                          f"  Tên đăng nhập: {name}\n  Mật khẩu lần đầu: {secret}\n"
                          + ("  (đơn vị đã thôi tồn tại: chỉ dùng cho các kỳ trước "
                             f"{unit.valid_to:%d/%m/%Y})\n" if unit.valid_to.year < 9999 else "")
                          + "\n")
        self.stdout.write(f"{len(made)} tài khoản mới; phiếu mật khẩu: {sheet}")
