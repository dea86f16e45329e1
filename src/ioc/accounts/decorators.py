"""View decorators for staff pages: one place that says who may open a page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role


def staff_required(roles: frozenset[str] = Role.STAFF):
    """Log in first; citizens go back to the public pages; other staff roles get a 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.role in roles):
                if not user.is_staff_role:
                    return redirect("home")
                return HttpResponseForbidden(_("Your role may not open this page."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
