"""`python -m portal export_receipts`: append to the receipts export every receipt not in it
(each send does this too; this mends an export after a failed append or a lost volume)."""

from django.core.management.base import BaseCommand

from portal.office.services import chitieu_settings, sync_export


class Command(BaseCommand):
    help = "Ghi bổ sung các biên nhận chưa có vào tệp xuất cho kho dữ liệu."

    def handle(self, *args, **options):
        path = chitieu_settings().receipts_file
        self.stdout.write(f"{sync_export(path)} biên nhận ghi thêm vào {path}")
