"""Staff pages of the indicators, mounted at /indicators/ (urls.py).

Views read through the selectors and write through the services (datasets.py for the data
sets); every refusal of a service comes back as a message on its field, never a 500.

- `common.py`: what the pages share (roles, language, filters, the chosen data set and
  period, the link to a unit's form);
- `figures.py`: the sector dashboards, the drill-down to values, the monthly report;
- `catalogue.py`: the catalogue and the indicator form (administrators);
- `entry.py`: data entry by data set (draft, submit, approve, unlock) and by sector;
- `reporting.py`: completeness and timeliness, the list of data sets;
- `imports.py`: file imports (check, then import) and the background job's page.
"""

from ioc.indicators.views.catalogue import catalogue, indicator_edit
from ioc.indicators.views.entry import entry, period_unlock, report_review
from ioc.indicators.views.figures import dashboard, monthly_report, values
from ioc.indicators.views.imports import import_job, import_values
from ioc.indicators.views.reporting import completeness, data_set_list

__all__ = [
    "catalogue",
    "completeness",
    "dashboard",
    "data_set_list",
    "entry",
    "import_job",
    "import_values",
    "indicator_edit",
    "monthly_report",
    "period_unlock",
    "report_review",
    "values",
]
