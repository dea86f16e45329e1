"""Admin for agencies, users, API keys and the login log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.models import Agency, ApiKey, LoginAttempt, User
from ioc.accounts.services import apikey_create, apikey_revoke
from ioc.core.admin import ReadOnlyAdmin
from ioc.core.services import timeline_record


class TimelineAdminMixin:
    """Edits in the admin leave the same trace on the record's timeline as the services'."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        timeline_record(
            target=obj,
            actor=request.user,
            verb="changed" if change else "created",
            data={"fields": sorted(form.changed_data), "via": "admin"},
        )


@admin.register(Agency)
class AgencyAdmin(TimelineAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_en", "short_name")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("units",)


@admin.register(User)
class UserAdmin(TimelineAdminMixin, DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        (_("Role and agency"), {"fields": ("role", "agency", "phone")}),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and agency"), {"fields": ("role", "agency")}),
    )
    # The administrator role decides these two (services.user_create, user_set_role).
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "role", "agency", "is_active")
    list_filter = ("role", "is_active", "agency__kind")
    search_fields = ("username", "first_name", "last_name", "email", "agency__name")
    autocomplete_fields = ("agency",)

    def save_model(self, request, obj, form, change):
        if "role" in form.changed_data or not change:
            obj.is_staff = obj.is_superuser = obj.role == Role.ADMIN
        super().save_model(request, obj, form, change)


class ApiKeyCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "agency", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created here or with `ioc apikey create`; the new key is shown once, in the
    page that answers the form, never through django.contrib.messages (whose default
    storage is a cookie: the secret would travel back and sit in the browser)."""

    form = ApiKeyCreateForm
    list_display = (
        "prefix",
        "name",
        "scope_list",
        "agency",
        "created_at",
        "last_used_at",
        "status",
    )
    list_filter = ("agency",)
    search_fields = ("prefix", "name")
    actions = ("revoke",)
    add_fields = ("name", "scopes", "agency", "expires_at")
    view_fields = (
        "name",
        "prefix",
        "scopes",
        "agency",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "last_used_ip",
        "key_hash",
    )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.view_fields

    def has_change_permission(self, request, obj=None):
        # A key is never edited: revoke it and create another. The page is read-only.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # keep revoked keys: the timeline and the logs refer to them

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.change_apikey")

    @admin.display(description=_("scopes"))
    def scope_list(self, key: ApiKey) -> str:
        return ", ".join(key.scopes)

    @admin.display(description=_("status"))
    def status(self, key: ApiKey) -> str:
        if key.revoked_at is not None:
            return str(_("revoked"))
        return str(_("active")) if key.is_usable else str(_("expired"))

    @admin.action(description=_("Revoke the selected API keys"), permissions=["revoke"])
    def revoke(self, request, queryset):
        keys = [key for key in queryset if key.revoked_at is None]
        for key in keys:
            apikey_revoke(key=key, actor=request.user)
        self.message_user(
            request,
            ngettext("Revoked %(count)d API key.", "Revoked %(count)d API keys.", len(keys))
            % {"count": len(keys)},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        key, raw_key = apikey_create(
            name=obj.name,
            scopes=obj.scopes,
            agency=obj.agency,
            expires_at=obj.expires_at,
            actor=request.user,
        )
        # The admin logs and answers about `obj`: make it the key the service created.
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(key, field.attname))
        obj._state.adding, obj._state.db = False, key._state.db
        request.ioc_raw_api_key = raw_key

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "admin/accounts/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("API key created"),
                "key": obj,
                "raw_key": request.ioc_raw_api_key,
            },
        )


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "username", "ip_address", "succeeded", "user_agent")
    list_filter = ("succeeded",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "created_at"
