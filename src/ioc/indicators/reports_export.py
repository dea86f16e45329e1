"""The monthly socio-economic report for leaders, as XLSX (openpyxl) and PDF (fpdf2, with
charts drawn by matplotlib and the DejaVu Sans font matplotlib ships, which covers
Vietnamese; nothing is downloaded at run time).

For each socio-economic indicator, at the province: the month, year to date (lũy kế), the
same period last year, the change in %, the year's target and the achievement.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ioc.core.periods import Period, PeriodType
from ioc.indicators.analytics import compare, year_to_date_value
from ioc.indicators.choices import TimeAggregation
from ioc.indicators.dashboards import Figures, province_unit
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import Indicator
from ioc.indicators.selectors import indicators_list

# fpdf2's font subsetting logs every glyph table at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

SECTOR = "socio-economic"
CHARTS = 4  # the first indicators with data get a chart: this year's months vs last year's


@dataclass
class ReportRow:
    indicator: Indicator
    name: str
    month: Decimal | None
    year_to_date: Decimal | None
    last_year: Decimal | None  # year to date of the same period last year
    change_pct: Decimal | None
    target: Decimal | None
    achievement_pct: Decimal | None
    months: list[Decimal | None] = field(default_factory=list)
    months_last_year: list[Decimal | None] = field(default_factory=list)


@dataclass
class MonthlyReport:
    month: Period
    title: str
    unit_name: str
    rows: list[ReportRow]
    language: str
    generated_at: Any


def monthly_report(*, viewer: Any, month: Period, language: str) -> MonthlyReport:
    hierarchy = Hierarchy.load()
    unit = province_unit(hierarchy)
    rows = []
    year = month.parent(PeriodType.YEARLY)
    figures = Figures()
    # The catalogue's own order (as the indicators were added), as on the dashboard.
    for indicator in sorted(indicators_list(viewer=viewer, sector=SECTOR), key=lambda i: i.pk):
        if unit is None:
            break
        own = month if indicator.period_type == PeriodType.MONTHLY else None
        shown = own or _containing(indicator, month)
        last = shown.same_period_last_year()
        summed = not indicator.is_computed and indicator.time_aggregation == TimeAggregation.SUM
        ytd = year_to_date_value(indicator=indicator, period=shown, unit=unit.org_unit_id)
        ytd_last = year_to_date_value(indicator=indicator, period=last, unit=unit.org_unit_id)
        months, months_last = [], []
        value = last_value = None
        if indicator.period_type == PeriodType.MONTHLY:
            this_year = year.children(PeriodType.MONTHLY)
            previous = year.previous().children(PeriodType.MONTHLY)
            values = figures.values(indicator, [*this_year, *previous], [unit.org_unit_id])
            months = [
                values[(unit.org_unit_id, p.id)] if p.start <= month.end else None
                for p in this_year
            ]
            months_last = [values[(unit.org_unit_id, p.id)] for p in previous]
            value = values[(unit.org_unit_id, month.id)]
            last_value = values[(unit.org_unit_id, last.id)]
        else:
            value = ytd
            last_value = ytd_last
        compared = compare(ytd, ytd_last) if summed else compare(value, last_value)
        plan = figures.achievement(indicator, shown, unit.org_unit_id)
        rows.append(
            ReportRow(
                indicator=indicator,
                name=indicator.display_name(language),
                month=value if own else None,
                year_to_date=ytd,
                last_year=ytd_last,
                change_pct=compared.change_pct,
                target=plan.target,
                achievement_pct=plan.achievement_pct,
                months=months,
                months_last_year=months_last,
            )
        )
    return MonthlyReport(
        month=month,
        title=_("Socio-economic report, %(month)s") % {"month": month.label(language)},
        unit_name=unit.display_name(language) if unit else "",
        rows=rows,
        language=language,
        generated_at=timezone.localtime(),
    )


def _containing(indicator: Indicator, month: Period) -> Period:
    return month.parent(indicator.period_type)


def _headers() -> list[str]:
    return [
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("This month"),
        _("Year to date"),
        _("Same period last year"),
        _("Change (%)"),
        _("Target for the year"),
        _("Achievement (%)"),
    ]


def _cells(row: ReportRow) -> list[Any]:
    return [
        row.indicator.code,
        row.name,
        row.indicator.unit,
        row.month,
        row.year_to_date,
        row.last_year,
        row.change_pct,
        row.target,
        row.achievement_pct,
    ]


def monthly_xlsx(report: MonthlyReport) -> bytes:
    """One sheet: a title, the table (exact Decimal figures as numbers), the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = report.month.id
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            report.unit_name,
            _("Generated %(time)s") % {"time": f"{report.generated_at:%d/%m/%Y %H:%M}"},
        ]
    )
    sheet.append([])
    sheet.append(_headers())
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B3D6E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in report.rows:
        sheet.append(_cells(row))
        decimals = row.indicator.decimals
        number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        for column in range(4, 10):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.number_format = "0.00" if column in (7, 9) else number_format
    for letter, width in zip("ABCDEFGHI", (16, 48, 14, 14, 16, 16, 11, 16, 13), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _font_path() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def _format(value: Decimal | None, decimals: int, language: str) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if language == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def axis_number(value: float, language: str) -> str:
    """A tick of a chart's value axis as the table writes numbers in `language` ("200.000"
    in Vietnamese, "200,000" in English), with the few decimals the tick has."""
    value = float(value)  # matplotlib gives numpy's floats
    decimals = next((d for d in range(4) if round(value, d) == round(value, 6)), 4)
    return _format(Decimal(repr(round(value, decimals))), decimals, language)


def _chart(row: ReportRow, report: MonthlyReport) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    year = report.month.start.year
    figure = Figure(figsize=(5.2, 2.4), dpi=110)
    axes = figure.add_subplot()
    labels = list(range(1, 13))
    axes.plot(
        labels,
        [float(v) if v is not None else None for v in row.months_last_year],
        color="#9aa9b8",
        marker="o",
        markersize=3,
        label=str(year - 1),
    )
    axes.bar(
        labels,
        [float(v) if v is not None else 0 for v in row.months],
        color="#1565a8",
        label=str(year),
    )
    axes.set_xticks(labels)
    axes.set_xlabel(pgettext("chart axis", "Month"), fontsize=7, family="DejaVu Sans")
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: axis_number(value, report.language))
    )
    axes.set_title(f"{row.name} ({row.indicator.unit})", fontsize=9, family="DejaVu Sans")
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=7, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def monthly_pdf(report: MonthlyReport) -> bytes:
    """A4 landscape: title, the table, then charts of the first indicators with data."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("DejaVu", "", str(_font_path()))
    pdf.add_font("DejaVu", "B", str(_font_path().with_name("DejaVuSans-Bold.ttf")))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    generated = _("Generated %(time)s") % {"time": f"{report.generated_at:%d/%m/%Y %H:%M}"}
    pdf.cell(0, 6, f"{report.unit_name} · {generated}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    widths = (38, 74, 20, 22, 24, 24, 18, 26, 21)
    pdf.set_font("DejaVu", "", 7.5)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=4.6,
        headings_style=FontFace(emphasis="BOLD", color=255, fill_color=(11, 61, 110)),
        first_row_as_headings=True,
    ) as table:
        header = table.row()
        for text in _headers():
            header.cell(text)
        for row in report.rows:
            decimals = row.indicator.decimals
            cells = table.row()
            for text in (
                row.indicator.code,
                row.name,
                row.indicator.unit,
                _format(row.month, decimals, report.language),
                _format(row.year_to_date, decimals, report.language),
                _format(row.last_year, decimals, report.language),
                _format(row.change_pct, 2, report.language),
                _format(row.target, decimals, report.language),
                _format(row.achievement_pct, 2, report.language),
            ):
                cells.cell(text)
    pdf.set_font("DejaVu", "", 8)
    charted = [r for r in report.rows if any(v is not None for v in r.months)][:CHARTS]
    if charted:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(
            0, 8, _("This year against last year, month by month"), new_x="LMARGIN", new_y="NEXT"
        )
        for index, row in enumerate(charted):
            x = 12 + (index % 2) * 138
            y = 24 + (index // 2) * 80
            pdf.image(io.BytesIO(_chart(row, report)), x=x, y=y, w=132)
    if not report.rows:
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 8, _("The catalogue has no socio-economic indicator yet."))
    return bytes(pdf.output())
