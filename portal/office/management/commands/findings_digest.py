"""`python -m portal findings_digest`: the weekly e-mail to each reviewer of the findings
waiting for it (portal/office/digest.py); scheduled by dags/chitieu_findings_digest.py.
Exits 1, naming each reviewer not reached and why, when a message could not be sent."""

from django.core.management.base import BaseCommand

from portal.office.digest import send_digests


class Command(BaseCommand):
    help = "Gửi thư hằng tuần cho mỗi người duyệt: các phát hiện đang chờ họ."

    def handle(self, *args, **options):
        outcome = send_digests()
        for line in outcome.sent:
            self.stdout.write(f"sent: {line}")
        for line in outcome.skipped:
            self.stdout.write(f"skipped: {line}")
        for line in outcome.unsent:
            self.stderr.write(f"NOT SENT: {line}")
        if outcome.unsent:
            raise SystemExit(1)
