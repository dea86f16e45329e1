"""The monthly socio-economic report: exact figures in the XLSX, Vietnamese text and the
same figures in the PDF."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import OrgUnit
from ioc.indicators.reports_export import axis_number
from ioc.indicators.services import data_value_set, target_set


@pytest.fixture
def retail(loaded_geo, make_indicator):
    """Retail sales in a ward: 1/2024 = 100.5, 2/2024 = 200, 2/2023 = 250; 2024 target 1,000."""
    indicator = make_indicator(
        "RETAIL", name="Tổng mức bán lẻ hàng hóa", unit="tỷ đồng", decimals=1
    )
    hierarchy = Hierarchy.load()
    ward = OrgUnit.objects.get(pk=hierarchy.resolve("22918").org_unit_id)
    province = OrgUnit.objects.get(
        pk=next(
            u for u in hierarchy.by_code["current"].values() if u.level == "province"
        ).org_unit_id
    )
    data_value_set(indicator=indicator, org_unit=ward, period="202401", value="100.5")
    data_value_set(indicator=indicator, org_unit=ward, period="202402", value="200")
    data_value_set(indicator=indicator, org_unit=ward, period="202302", value="250")
    target_set(indicator=indicator, org_unit=province, year=2024, value=Decimal(1000))
    return indicator


def test_the_xlsx_holds_the_exact_figures(retail, client):
    client.force_login(UserFactory(role=Role.LEADER))

    response = client.get("/indicators/reports/monthly/202402.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[4]]
    assert header[:5] == ["Code", "Indicator", "Unit", "This month", "Year to date"]
    row = [cell.value for cell in sheet[5]]
    assert row[:3] == ["RETAIL", "Tổng mức bán lẻ hàng hóa", "tỷ đồng"]
    assert [Decimal(str(v)) for v in row[3:]] == [
        Decimal(200),  # February 2024
        Decimal("300.5"),  # January and February 2024
        Decimal(250),  # January and February 2023
        Decimal("20.20"),  # % change of the year to date
        Decimal(1000),  # target for 2024
        Decimal("30.05"),  # achievement: 300.5 / 1000
    ]


def test_the_pdf_has_vietnamese_text_and_the_figures(retail, client):
    client.cookies["django_language"] = "vi"
    client.force_login(UserFactory(role=Role.LEADER))

    response = client.get("/indicators/reports/monthly/202402.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Báo cáo kinh tế - xã hội, Tháng 2/2024" in text
    assert "Tổng mức bán lẻ hàng hóa" in text
    assert "Lũy kế" in text
    for figure in ("200,0", "300,5", "250,0", "20,20", "1.000,0", "30,05"):
        assert figure in text
    assert len(reader.pages) == 2  # the table, then the chart page
    assert len(reader.pages[1].images) == 1


@pytest.mark.parametrize("month", ["202413", "202400"])
def test_a_month_that_does_not_exist_is_a_400(retail, client, month):
    client.force_login(UserFactory(role=Role.LEADER))

    response = client.get(f"/indicators/reports/monthly/{month}.pdf")

    assert response.status_code == 400


def test_citizens_do_not_get_the_report(retail, client):
    client.force_login(UserFactory(role=Role.CITIZEN))

    assert client.get("/indicators/reports/monthly/202402.xlsx").status_code == 302


@pytest.mark.parametrize(
    ("tick", "language", "label"),
    [
        (200000.0, "vi", "200.000"),
        (200000.0, "en", "200,000"),
        (0.0, "vi", "0"),
        (1.5, "vi", "1,5"),
        (0.25, "en", "0.25"),
        (2.0000000001, "en", "2"),
    ],
)
def test_a_charts_value_axis_writes_numbers_as_the_table_does(tick, language, label):
    assert axis_number(tick, language) == label
