"""Background work of the indicators: imports too big to run in a request."""

from django.tasks import task

from ioc.indicators.import_jobs import import_job_run


@task
def data_values_import_run(job_id: int) -> str:
    """Import one queued file (import_jobs.py); returns the job's final state."""
    return import_job_run(job_id)
