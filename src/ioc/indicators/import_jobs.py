"""Background imports: a file above IOC_INDICATORS_IMPORT_BACKGROUND_ROWS rows is stored,
queued to the worker (tasks.data_values_import_run) and answered at once; the page and the
API poll its DataValueImport (state queued → running → done or failed) and its progress.

The import itself is the same all-or-nothing transaction as in a request
(services.data_values_import): a failed job records its error and leaves no value. The
progress (stage, rows done, rows in all) cannot be written to the database while that
transaction holds SQLite's write lock, so the worker writes it to a small JSON file beside
the stored upload every PROGRESS_EVERY rows (a few bytes, replaced atomically).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from ioc.indicators import dhis2
from ioc.indicators.choices import DataValueSource, ImportState, ImportStrategy
from ioc.indicators.models import DataValueImport
from ioc.indicators.services import ImportSummary, _actor, data_values_import

logger = logging.getLogger("ioc.indicators")
IMPORT_DIR = "indicator-imports"
DEFAULT_BACKGROUND_ROWS = 5000
STORED_CONFLICTS = 1000  # a job keeps the first conflicts (and their count)
# Shares of the progress bar: checking the rows, writing them, the aggregates.
STAGE_SHARES = {"checking": (0, 45), "writing": (45, 45), "aggregating": (90, 10)}


def background_rows() -> int:
    """Files with more rows than this are imported by the worker."""
    return int(getattr(settings, "IOC_INDICATORS_IMPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS))


def upload_store(content: bytes, file_format: str) -> str:
    """Keep an uploaded file for a later step (the worker, the confirmation); its name."""
    name = f"{IMPORT_DIR}/{get_random_string(32)}.{file_format}"
    return default_storage.save(name, ContentFile(content))


def import_job_create(
    *,
    upload: str,
    file_format: str,
    rows_total: int,
    strategy: str = ImportStrategy.CREATE_AND_UPDATE,
    structure: str | None = None,
    dry_run: bool = False,
    actor: Any = None,
    source: str = DataValueSource.IMPORT,
) -> DataValueImport:
    """Record a queued import of a stored file and enqueue it after the commit."""
    from ioc.indicators import tasks

    user, label = _actor(actor)
    job = DataValueImport.objects.create(
        created_by=user,
        actor_label=label,
        api_key=actor if user is None and hasattr(actor, "prefix") else None,
        file_format=file_format,
        strategy=strategy,
        structure=structure or "",
        dry_run=dry_run,
        source=source,
        upload=upload,
        rows_total=rows_total,
        state=ImportState.QUEUED,
        status="",
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: tasks.data_values_import_run.enqueue(job.pk))
    return job


def _progress_path(job: DataValueImport) -> Path:
    return Path(default_storage.path(f"{IMPORT_DIR}/job-{job.pk}.progress.json"))


class ProgressFile:
    """progress(stage, done, total) for services.data_values_import, into the job's file."""

    def __init__(self, job: DataValueImport) -> None:
        self.path = _progress_path(job)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, stage: str, done: int, total: int) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"stage": stage, "done": done, "total": total}))
        os.replace(temporary, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def import_job_progress(job: DataValueImport) -> dict[str, Any]:
    """{state, stage, rows_done, rows_total, percent} of a job, for the page and the API."""
    result = {
        "state": job.state,
        "stage": job.state,
        "rows_done": 0,
        "rows_total": job.rows_total,
        "percent": 0,
    }
    if job.state in (ImportState.DONE, ImportState.FAILED):
        done = job.rows_total if job.state == ImportState.DONE else 0
        result.update(rows_done=done, percent=100 if job.state == ImportState.DONE else 0)
        return result
    if job.state == ImportState.RUNNING:
        try:
            found = json.loads(_progress_path(job).read_text())
        except (OSError, ValueError):
            found = {"stage": "checking", "done": 0, "total": job.rows_total}
        stage = found.get("stage", "checking")
        total = int(found.get("total") or job.rows_total or 1)
        done = min(int(found.get("done") or 0), total)
        start, share = STAGE_SHARES.get(stage, (0, 0))
        result.update(
            stage=stage, rows_done=done, percent=min(99, start + share * done // max(total, 1))
        )
    return result


def import_job_summary(job: DataValueImport) -> dict[str, Any] | None:
    """The DHIS2 import summary of a finished job (None while it is queued or running)."""
    if job.state not in (ImportState.DONE, ImportState.FAILED):
        return None
    summary = ImportSummary(
        status=job.status or "ERROR",
        imported=job.imported,
        updated=job.updated,
        ignored=job.ignored,
        deleted=job.deleted,
        dry_run=job.dry_run,
        strategy=job.strategy,
        import_id=job.pk if job.state == ImportState.DONE and not job.dry_run else None,
    )
    body = summary.as_dhis2()
    body["conflicts"] = job.conflicts
    if job.conflict_count > len(job.conflicts):
        body["conflictCount"] = job.conflict_count
    if job.state == ImportState.FAILED:
        body["status"] = "ERROR"
        body["description"] = job.error
    return body


def import_job_run(job_id: int) -> str:
    """The worker's part: import the stored file, its messages in the language of whoever
    started it; returns the job's final state."""
    claimed = DataValueImport.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, started_at=timezone.now()
    )
    job = DataValueImport.objects.select_related("created_by").get(pk=job_id)
    if not claimed:  # already run (a retried task): nothing to do
        return job.state
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _import_stored_file(job)


def _import_stored_file(job: DataValueImport) -> str:
    progress = ProgressFile(job)
    try:
        try:
            with default_storage.open(job.upload, "rb") as handle:
                content = handle.read()
        except OSError as error:
            raise dhis2.PayloadError(_("The stored file is missing: upload it again.")) from error
        rows = dhis2.parse(content, job.file_format)
        summary = data_values_import(
            rows=rows,
            strategy=job.strategy,
            dry_run=job.dry_run,
            actor=job.created_by,
            structure=job.structure or None,
            source=job.source,
            file_format=job.file_format,
            job=job,
            progress=progress,
        )
    except Exception as error:  # any failure is recorded on the job
        logger.exception("Indicator import %s failed", job.pk)
        message = str(error) if isinstance(error, dhis2.PayloadError) else repr(error)
        DataValueImport.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED,
            status="ERROR",
            error=message[:2000],
            finished_at=timezone.now(),
        )
        progress.clear()
        return ImportState.FAILED
    if summary.status == "ERROR" or job.dry_run:
        # Rolled back: the counts and conflicts are written now, outside that transaction.
        conflicts = [c.as_dhis2() for c in summary.conflicts[:STORED_CONFLICTS]]
        DataValueImport.objects.filter(pk=job.pk).update(
            state=ImportState.DONE,
            status=summary.status,
            imported=summary.imported,
            updated=summary.updated,
            ignored=summary.ignored,
            deleted=summary.deleted,
            conflicts=conflicts,
            conflict_count=len(summary.conflicts),
            finished_at=timezone.now(),
        )
    if not job.dry_run or job.source == DataValueSource.API:
        # A file checked on the page stays for its confirmation; others are done with.
        default_storage.delete(job.upload)
    progress.clear()
    return ImportState.DONE
