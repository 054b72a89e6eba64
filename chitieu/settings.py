"""Where things live, from the environment, with the defaults `make run` documents."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_DIR = PROJECT_DIR / "dbt_project"


@dataclass(frozen=True)
class Settings:
    inbox: Path
    warehouse_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        inbox = Path(os.environ.get("INBOX") or PROJECT_DIR / "data" / "sample" / "inbox")
        warehouse = Path(os.environ.get("WAREHOUSE_DIR") or PROJECT_DIR / "warehouse")
        return cls(inbox.resolve(), warehouse.resolve())

    @property
    def build_db(self) -> Path:
        """The write side: raw layer and dbt models. Never opened by BI tools."""
        return self.warehouse_dir / "build" / "chitieu.duckdb"

    @property
    def archive_dir(self) -> Path:
        """Originals, byte for byte; its own volume in production (CHITIEU_ARCHIVE_DIR)."""
        return Path(os.environ.get("CHITIEU_ARCHIVE_DIR") or self.warehouse_dir / "archive")

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    @property
    def reports_dir(self) -> Path:
        """Shortfall reports; its own volume in production (CHITIEU_REPORTS_DIR)."""
        return Path(os.environ.get("CHITIEU_REPORTS_DIR") or self.warehouse_dir / "reports")

    @property
    def lock_file(self) -> Path:
        """Held by every writer of the warehouse (ingest/writer_lock.py)."""
        from ingest.writer_lock import lock_path_for

        return lock_path_for(self.build_db)

    @property
    def status_file(self) -> Path:
        """Where the last failure is written for an operator (see the on-failure callback)."""
        return self.warehouse_dir / "LAST_FAILURE.txt"
