"""`ioc apikey create|list|revoke`: API keys for machine clients, from the shell."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ioc.accounts.choices import ApiScope
from ioc.accounts.models import Agency, ApiKey
from ioc.accounts.services import apikey_create, apikey_revoke


def _when(moment) -> str:
    if moment is None:
        return "-"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _status(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return _("revoked")
    if not key.is_usable:
        return _("expired")
    return _("active")


class Command(BaseCommand):
    help = "Create, list or revoke API keys. `create` prints the new key alone on its last line."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it once")
        create.add_argument("--name", required=True, help="who uses the key")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help=f"repeat for several; one of: {', '.join(ApiScope.values())}",
        )
        create.add_argument("--agency", help="code of the agency the key acts for")
        create.add_argument("--expires-days", type=int, help="the key stops working after N days")
        actions.add_parser("list", help="list the keys (never the keys themselves)")
        revoke = actions.add_parser("revoke", help="revoke a key for good")
        revoke.add_argument("prefix", help="the key's prefix, as `list` shows it")

    def handle(self, *args, **options) -> None:
        getattr(self, f"handle_{options['action']}")(options)

    def handle_create(self, options) -> None:
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(_("No agency has the code “%s”.") % options["agency"])
        expires_at = None
        if options["expires_days"] is not None:
            if options["expires_days"] < 1:
                raise CommandError(_("--expires-days must be 1 or more."))
            expires_at = timezone.now() + timedelta(days=options["expires_days"])
        try:
            key, raw_key = apikey_create(
                name=options["name"],
                scopes=options["scopes"],
                agency=agency,
                expires_at=expires_at,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            ) from error
        self.stdout.write(
            _(
                "Created API key “%(name)s” (prefix %(prefix)s, scopes: %(scopes)s, "
                "expires: %(expires)s)."
            )
            % {
                "name": key.name,
                "prefix": key.prefix,
                "scopes": ", ".join(key.scopes),
                "expires": _when(key.expires_at) if key.expires_at else _("never"),
            }
        )
        self.stdout.write(
            _(
                "Copy it now: it is shown only this once. Clients send it in the X-API-Key "
                "header. The key is on the next line."
            )
        )
        self.stdout.write(raw_key)

    def handle_list(self, options) -> None:
        # The shell is trusted: the command lists every key, as an administrator sees them.
        keys = ApiKey.objects.select_related("agency").order_by("-created_at", "-pk")
        columns = [_("prefix"), _("name"), _("scopes"), _("created"), _("last used"), _("status")]
        rows = [
            [
                key.prefix,
                key.name,
                ",".join(key.scopes),
                _when(key.created_at),
                _when(key.last_used_at),
                _status(key),
            ]
            for key in keys
        ]
        if not rows:
            self.stdout.write(
                _("No API keys yet. Create one with: ioc apikey create --name NAME --scope SCOPE")
            )
            return
        widths = [max(len(str(row[i])) for row in [columns, *rows]) for i in range(len(columns))]
        for row in [columns, *rows]:
            self.stdout.write(
                "  ".join(
                    str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )

    def handle_revoke(self, options) -> None:
        key = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if key is None:
            raise CommandError(
                _("No API key has the prefix “%s”; see `ioc apikey list`.") % options["prefix"]
            )
        if key.revoked_at is not None:
            self.stdout.write(
                _("API key %(prefix)s was already revoked at %(when)s.")
                % {"prefix": key.prefix, "when": _when(key.revoked_at)}
            )
            return
        apikey_revoke(key=key)
        self.stdout.write(
            _("Revoked API key %(prefix)s (“%(name)s”).") % {"prefix": key.prefix, "name": key.name}
        )
