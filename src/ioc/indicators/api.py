"""API of the indicators app, mounted at /api/v1/indicators/."""

from ninja import Router

router = Router(tags=["indicators"])
