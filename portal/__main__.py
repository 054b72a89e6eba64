"""`python -m portal COMMAND`: Django's manage.py for the portal (migrate, create_accounts,
serve, export_receipts, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m portal", *sys.argv[1:]])


if __name__ == "__main__":
    main()
