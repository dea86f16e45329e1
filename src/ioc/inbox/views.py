"""The inbox page (staff in the staff layout, citizens in the public one) and the bell
that the top bars poll with htmx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ioc.inbox import selectors, services

PAGE_SIZE = 30
# htmx stops polling when an answer has this status: a visitor who logged out in
# another tab stops asking.
HTMX_STOP_POLLING = 286


def _layout(user) -> str:
    return "layouts/staff.html" if user.is_staff_role else "layouts/public.html"


@login_required
def inbox(request):
    user = request.user
    services.group_notifications_deliver(user=user)
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notification_list(user=user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "layout": _layout(user),
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(user=user),
    }
    return render(request, "inbox/list.html", context)


@require_GET
def bell(request):
    """The bell and its unread count, a fragment for the top bar's polling."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    services.group_notifications_deliver(user=request.user)
    context = {"unread": selectors.unread_count(user=request.user), "polling": True}
    response = render(request, "inbox/_bell.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def mark_read(request, pk: int):
    """Mark one notification read; with open=1, go on to what it is about."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404
    target = notification.url
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(_back(request))


@require_POST
@login_required
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notification(s) marked as read.") % {"count": count})
    return redirect(_back(request))


def _back(request) -> str:
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return back
    return reverse("inbox:list")
