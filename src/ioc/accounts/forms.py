"""The login form: Django's, with Bootstrap widgets and the lock-out check."""

import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import ngettext


class LoginForm(AuthenticationForm):
    """Refuses without authenticating while the username or address is locked out."""

    def __init__(self, request=None, *args, lockout_seconds: int = 0, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.lockout_seconds = lockout_seconds
        self.fields["username"].widget.attrs.update(
            {
                "class": "form-control",
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )

    def clean(self):
        if self.lockout_seconds:
            minutes = math.ceil(self.lockout_seconds / 60)
            raise forms.ValidationError(
                ngettext(
                    "Too many failed attempts. Try again in %(minutes)d minute.",
                    "Too many failed attempts. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked_out",
            )
        return super().clean()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
