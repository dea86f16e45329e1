"""Geography API (placeholder until the geo app's endpoints land)."""

from ninja import Router

router = Router(tags=["geo"])
