"""`ioc apikey create|list|revoke`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ioc.accounts.management.commands.accounts_apikey import Command
from ioc.accounts.models import ApiKey
from ioc.accounts.services import apikey_authenticate
from ioc.accounts.tests.factories import AgencyFactory, api_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("accounts_apikey", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_prints_the_key_alone_on_the_last_line_and_it_authenticates():
    # given
    AgencyFactory(code="so-khcn")

    # when
    lines = _run(
        "create", "--name", "Open311 gateway", "--scope", "open311", "--scope", "reports",
        "--agency", "so-khcn", "--expires-days", "30",
    )  # fmt: skip

    # then
    key = ApiKey.objects.get()
    assert len(lines) == 3
    assert lines[0].startswith(
        f"Created API key “Open311 gateway” (prefix {key.prefix}, scopes: open311, reports, "
        "expires: "
    )
    assert lines[1] == (
        "Copy it now: it is shown only this once. Clients send it in the X-API-Key header. "
        "The key is on the next line."
    )
    assert apikey_authenticate(raw_key=lines[-1], scope="open311", ip=None) == key
    assert (key.agency.code, key.expires_at is not None) == ("so-khcn", True)


def test_create_with_an_unknown_scope_fails_naming_it():
    # when
    with pytest.raises(CommandError) as error:
        _run("create", "--name", "Bad", "--scope", "reports", "--scope", "everything")

    # then
    assert str(error.value) == (
        "scopes: Unknown scope(s): everything; expected some of: open311, reports, "
        "indicators, dossiers, monitoring, read."
    )
    assert ApiKey.objects.count() == 0


def test_create_with_an_unknown_scope_exits_non_zero(capsys):
    # when
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(
            ["ioc", "accounts_apikey", "create", "--name", "Bad", "--scope", "everything"]
        )

    # then
    assert exit_.value.code == 1
    assert "Unknown scope(s): everything" in capsys.readouterr().err


def test_create_with_an_unknown_agency_fails_naming_it():
    # when
    with pytest.raises(CommandError) as error:
        _run("create", "--name", "Bad", "--scope", "reports", "--agency", "so-khong-co")

    # then
    assert str(error.value) == "No agency has the code “so-khong-co”."


def test_list_shows_each_key_and_its_status_but_never_the_key():
    # given
    active, active_raw = api_key(name="Cổng dịch vụ công", scopes=["dossiers"])
    revoked, _ = api_key(name="Old client", scopes=["read"])
    _run("revoke", revoked.prefix)

    # when
    lines = _run("list")

    # then
    assert lines[0].split() == ["prefix", "name", "scopes", "created", "last", "used", "status"]
    assert [(line.split()[0], line.split()[-1]) for line in lines[1:]] == [
        (revoked.prefix, "revoked"),
        (active.prefix, "active"),
    ]
    assert "Cổng dịch vụ công" in lines[2]
    assert all(active_raw not in line for line in lines)


def test_list_without_keys_says_how_to_create_one():
    # when
    lines = _run("list")

    # then
    assert lines == [
        "No API keys yet. Create one with: ioc apikey create --name NAME --scope SCOPE"
    ]


def test_revoke_by_prefix_stops_the_key():
    # given
    key, _ = api_key(name="Old client", scopes=["read"])

    # when
    lines = _run("revoke", key.prefix)

    # then
    key.refresh_from_db()
    assert lines == [f"Revoked API key {key.prefix} (“Old client”)."]
    assert key.revoked_at is not None


def test_revoke_an_unknown_prefix_fails():
    # when
    with pytest.raises(CommandError) as error:
        _run("revoke", "zzzzzzzz")

    # then
    assert str(error.value) == "No API key has the prefix “zzzzzzzz”; see `ioc apikey list`."
