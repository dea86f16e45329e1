"""Pages of the field reports: the citizen's (send, follow, rate, public map and figures,
phone-first) and the staff's (work queue, report detail and its actions, dashboard).

Views read through the selectors and write through the services; every refusal of a
service (validation, illegal move, permission) comes back as a message, never a 500.

- `common.py`: what the pages share (colours, timeline rows, photos, messages);
- `citizen.py`: send, follow, rate, the public map and list, photos, the app's files;
- `staff.py`: the work queue, export, bulk actions, a report's page and its actions;
- `figures.py`: the public figures and the operators' and leaders' dashboard.
"""

from ioc.reports.views.citizen import (
    manifest,
    photo,
    report_nearby,
    report_new,
    report_public,
    report_rate,
    report_sent,
    report_suggest,
    report_track,
    report_track_form,
    service_worker,
)
from ioc.reports.views.figures import dashboard, report_figures
from ioc.reports.views.staff import queue, queue_bulk, report_act, report_detail

__all__ = [
    "dashboard",
    "manifest",
    "photo",
    "queue",
    "queue_bulk",
    "report_act",
    "report_detail",
    "report_figures",
    "report_nearby",
    "report_new",
    "report_public",
    "report_rate",
    "report_sent",
    "report_suggest",
    "report_track",
    "report_track_form",
    "service_worker",
]
