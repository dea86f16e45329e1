"""Login (with the lock-out after repeated failures) and logout."""

from django.contrib.auth import views as auth_views

from ioc.accounts.auth import client_ip
from ioc.accounts.choices import AgencyKind
from ioc.accounts.decorators import staff_required
from ioc.accounts.forms import LoginForm
from ioc.accounts.selectors import agency_directory as agency_directory_rows
from ioc.accounts.selectors import login_lockout_remaining
from ioc.accounts.services import login_attempt_record
from ioc.core.htmx import render_page


class LockoutLoginView(auth_views.LoginView):
    """Django's LoginView; every attempt is recorded, and a locked-out one never authenticates."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    lockout_seconds = 0

    def post(self, request, *args, **kwargs):
        self.lockout_seconds = login_lockout_remaining(
            username=self._username(), ip=client_ip(request)
        )
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["lockout_seconds"] = self.lockout_seconds
        return kwargs

    def form_valid(self, form):
        self._record(succeeded=True)
        return super().form_valid(form)

    def form_invalid(self, form):
        self._record(succeeded=False)
        return super().form_invalid(form)

    def _username(self) -> str:
        # The form strips the username before authenticating; count what it checks.
        return self.request.POST.get("username", "").strip()[:150]

    def _record(self, *, succeeded: bool) -> None:
        login_attempt_record(
            username=self._username(),
            ip=client_ip(self.request),
            user_agent=self.request.headers.get("User-Agent", ""),
            succeeded=succeeded,
        )


login_view = LockoutLoginView.as_view()
# POST only (Django's LogoutView refuses GET), so a link on another site cannot log you out.
logout_view = auth_views.LogoutView.as_view()


@staff_required()
def agency_directory(request):
    kind = request.GET.get("kind", "")
    if kind not in AgencyKind.values():
        kind = ""
    query = request.GET.get("q", "")
    context = {
        "agencies": agency_directory_rows(user=request.user, kind=kind, query=query),
        "kinds": AgencyKind.CHOICES,
        "kind": kind,
        "query": query,
    }
    return render_page(request, "accounts/agency_list.html", context, partial="table")
