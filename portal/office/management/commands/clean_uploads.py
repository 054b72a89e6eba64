"""`python -m portal clean_uploads`: remove the checked uploads never sent that are older than
PORTAL_KEEP_UNSENT_DAYS (each upload does this too; this is for a cron or a quiet portal)."""

from django.core.management.base import BaseCommand, CommandError

from portal.office.staged import StagedFolderUnsafe, clean_unsent


class Command(BaseCommand):
    help = "Xóa các tệp đã tải lên và kiểm tra nhưng không gửi, quá PORTAL_KEEP_UNSENT_DAYS ngày."

    def handle(self, *args, **options):
        try:
            done = clean_unsent()
        except StagedFolderUnsafe as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(done.line())
        if done.left:
            raise CommandError(f"còn {len(done.left)} tệp để nguyên, cần xem lại")
