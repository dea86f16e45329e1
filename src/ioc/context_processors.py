"""What every page's shell needs: the deployment, the sidebar for the role, the filters."""

from ioc.core.navigation import items_for


def shell(request):
    return {"nav_items": items_for(getattr(request, "user", None))}
