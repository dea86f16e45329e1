"""Users, agencies, API keys and the log of login attempts."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ioc.accounts.choices import AgencyKind, Role
from ioc.core.access import NOTHING, AccessPolicy, AccessScope, RestrictedQuerySet


class Agency(models.Model):
    """A body that receives work: a department, a commune People's Committee, a utility..."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    units = models.ManyToManyField(
        "geo.AdminUnit", blank=True, related_name="agencies", verbose_name=_("areas served")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    # Agencies are public knowledge (who is responsible); staff see their own even if
    # inactive; an agency's head (and operators) may edit it; only administrators delete.
    access_policy = AccessPolicy(
        agency="pk",
        manager="pk",
        public=Q(is_active=True),
        admin_actions=frozenset({"delete"}),
        relations={"change": ("manager",)},
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    @property
    def kind_colour(self) -> str:
        return AgencyKind.colour(self.kind)


class User(AbstractUser):
    """Every person who logs in; `role` decides what they see, `agency` whose work."""

    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CITIZEN)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("agency"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects: ClassVar[UserManager] = UserManager()
    # A user record is personal data: colleagues see each other, an agency's head manages
    # its staff, everybody edits their own profile; only administrators manage the rest.
    access_policy = AccessPolicy(
        agency="agency_id",
        manager="agency_id",
        owner="pk",
        admin_actions=frozenset({"add", "change", "delete"}),
        relations={"change": ("owner", "manager")},
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(Role.AGENCY)) | Q(agency__isnull=False),
                name="agency_roles_have_an_agency",
                violation_error_message=_("Agency staff and agency heads belong to an agency."),
            )
        ]

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (last_name) before the given name."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_staff_role(self) -> bool:
        return self.role in Role.STAFF or self.is_superuser

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    def access_scope(self, action: str) -> AccessScope:
        """What this user may reach for `action`; read by core.access.restrict()."""
        if self.is_admin_role:
            return AccessScope(everything=True, is_admin=True, user_id=self.pk)
        if self.role == Role.OPERATOR:
            # Nothing a citizen or agency submitted is ever hard-deleted.
            if action == "delete":
                return NOTHING
            return AccessScope(everything=True, user_id=self.pk)
        if self.role == Role.LEADER:
            # Leaders read every dashboard and change nothing.
            return AccessScope(everything=True, user_id=self.pk) if action == "view" else NOTHING
        if self.role in Role.AGENCY and self.agency_id is not None:
            if action == "delete":
                return NOTHING
            agency_ids, unit_codes = self._agency_reach()
            return AccessScope(
                agency_ids=agency_ids,
                managed_agency_ids=agency_ids if self.role == Role.AGENCY_HEAD else frozenset(),
                unit_codes=unit_codes,
                user_id=self.pk,
                public=action == "view",
            )
        # Citizens: their own records, and what is public.
        if action == "view":
            return AccessScope(user_id=self.pk, public=True)
        return AccessScope(user_id=self.pk) if action == "change" else NOTHING

    def _agency_reach(self) -> tuple[frozenset[int], frozenset[str]]:
        """The agencies and unit codes an agency user reaches (for restrict())."""
        unit_codes = self._cached(
            "_unit_codes", lambda: frozenset(self.agency.units.values_list("code", flat=True))
        )
        return frozenset(self._agency_ids()), unit_codes

    def _agency_ids(self) -> set[int]:
        """The user's agency; a head also reaches the agencies below theirs."""
        return set(self._cached("_agency_tree", self._walk_agency_tree))

    def _cached(self, name: str, read):
        """`read()` once per user object (a page asks many times), again if the role or
        the agency changes."""
        key = (self.role, self.agency_id)
        cached = self.__dict__.get(name)
        if cached is None or cached[0] != key:
            cached = self.__dict__[name] = (key, read())
        return cached[1]

    def _walk_agency_tree(self) -> frozenset[int]:
        ids = {self.agency_id}
        if self.role != Role.AGENCY_HEAD:
            return frozenset(ids)
        frontier = set(ids)
        while frontier:
            frontier = (
                set(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
                - ids
            )
            ids |= frontier
        return frozenset(ids)


class ApiKey(models.Model):
    """A key for a machine client: shown once, stored as a hash, scoped, revocable."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("agency"),
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # Keys open the API to machines: administrators only.
    access_policy = AccessPolicy(admin_actions=frozenset({"view", "add", "change", "delete"}))

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class LoginAttempt(models.Model):
    """Every login attempt, kept for the lock-out count and for the security log."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ip_address", "created_at"])]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.username} {outcome} {self.created_at:%Y-%m-%d %H:%M}"
