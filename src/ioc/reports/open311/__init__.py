"""Open311 GeoReport v2 server at /open311/v2/ (JSON and XML), beside our own API."""
