"""The shell: health, home pages, the role's navigation, languages, errors."""

import json

import pytest
from django.urls import reverse

from ioc.accounts.choices import Role

pytestmark = pytest.mark.django_db

SHARED = {"overview", "agencies", "communes"}
STAFF_NAV = {
    Role.AGENCY_STAFF: SHARED,
    Role.AGENCY_HEAD: SHARED,
    Role.OPERATOR: SHARED,
    Role.LEADER: SHARED,
    Role.ADMIN: SHARED | {"admin"},
}


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_public_home_is_vietnamese_by_default_even_for_an_english_browser(client, geography):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    html = response.content.decode()
    assert '<html lang="vi"' in html
    assert "Đăng nhập" in html


def test_public_home_shows_the_deployment_name_and_figures_from_the_records(client, geography):
    response = client.get("/")

    html = response.content.decode()
    assert response.context["deployment"].name in html
    figures = {stat["key"]: stat["value"] for stat in response.context["stats"]}
    assert figures == {
        "communes": 45,
        "legacy_communes": 121,
        "legacy_districts": 10,
        "agencies": 0,
    }


def test_language_switch_sets_english_and_comes_back(client, geography):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html


@pytest.mark.parametrize("role", sorted(STAFF_NAV))
def test_staff_member_lands_on_a_home_for_their_role_with_only_their_entries(
    client, geography, role_users, role
):
    # given
    client.force_login(role_users[role])

    # when
    response = client.get(reverse("staff-home"))

    # then
    assert response.status_code == 200
    # Subsystems add entries of their own (tested in their apps); the shell's are these.
    shell_keys = {item.key for item in response.context["nav_items"]} & (SHARED | {"admin"})
    assert shell_keys == STAFF_NAV[role]
    assert response.context["user_role_label"] == str(Role.label(role))


def test_citizen_is_sent_to_the_public_pages(client, geography, role_users):
    client.force_login(role_users[Role.CITIZEN])

    response = client.get(reverse("staff-home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_visitor_of_the_staff_home_is_asked_to_log_in(client):
    response = client.get(reverse("staff-home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/staff/"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.OPERATOR, 302), (Role.LEADER, 302), (Role.CITIZEN, 302)],
)
def test_only_administrators_reach_django_admin(client, role_users, role, status):
    client.force_login(role_users[role])

    response = client.get("/admin/")

    assert response.status_code == status


def test_unknown_page_is_a_product_404_in_vietnamese(client, geography):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_staff_filters_read_from_the_url(client, geography, role_users):
    client.force_login(role_users[Role.OPERATOR])

    response = client.get(reverse("staff-home"), {"area": "district:593", "period": "2024Q3"})

    filters = response.context["filters"]
    assert filters.area.param == "district:593"
    assert filters.period.id == "2024Q3"
    assert response.context["filter_error"] == ""


def test_bad_filter_in_the_url_is_named_not_a_500(client, geography, role_users):
    client.force_login(role_users[Role.OPERATOR])

    response = client.get(reverse("staff-home"), {"area": "ward:xyz", "period": "2024Q9"})

    assert response.status_code == 200
    assert "ward:xyz" in response.context["filter_error"]


def test_api_docs_work_offline_from_our_static_files(client):
    response = client.get("/api/v1/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html


def test_openapi_document_has_no_duplicate_keys(client):
    # Swagger UI reads the document as YAML, which refuses a key given twice (Python's
    # json module silently keeps the last one).
    duplicates = []

    def refuse_duplicates(pairs):
        keys = [key for key, _value in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=refuse_duplicates)

    assert duplicates == []


def test_openapi_document_lists_the_geo_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    paths = response.json()["paths"]
    assert {"/api/v1/geo/locate", "/api/v1/geo/units.geojson", "/api/v1/geo/units"} <= set(paths)
