"""Import data values from a DHIS2 JSON or CSV file, or an XLSX spreadsheet."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ioc.indicators import dhis2
from ioc.indicators.choices import DataValueSource, ImportStrategy
from ioc.indicators.services import data_values_import


class Command(BaseCommand):
    help = "Import data values (DHIS2 dataValueSets JSON or CSV, or the XLSX template)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--strategy", choices=ImportStrategy.values(), default=ImportStrategy.CREATE_AND_UPDATE
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--structure", choices=["current", "legacy"], default=None)

    def handle(self, *args, file: Path, strategy: str, dry_run: bool, structure, **options):
        content = file.read_bytes()
        suffix = file.suffix.lower()
        try:
            if suffix == ".json":
                rows, file_format = dhis2.parse_json(content), "json"
            elif suffix == ".xlsx":
                rows, file_format = dhis2.parse_xlsx(content), "xlsx"
            else:
                rows, file_format = dhis2.parse_csv(content), "csv"
        except dhis2.PayloadError as error:
            raise CommandError(str(error)) from error
        summary = data_values_import(
            rows=rows,
            strategy=strategy,
            dry_run=dry_run,
            structure=structure,
            source=DataValueSource.IMPORT,
            file_format=file_format,
        )
        self.stdout.write(json.dumps(summary.as_dhis2(), ensure_ascii=False, indent=2))
        if summary.status == "ERROR":
            raise CommandError("; ".join(c.value for c in summary.conflicts[:20]))
