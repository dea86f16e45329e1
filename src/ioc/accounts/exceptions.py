"""Why an API key was refused: one exception per reason, each with the message the client sees."""


class ApiKeyError(Exception):
    """An API key was refused; `status_code` is what an HTTP API answers (401 unless said)."""

    status_code = 401

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiKeyMissing(ApiKeyError):
    """No key in the X-API-Key header nor the api_key parameter."""


class ApiKeyMalformed(ApiKeyError):
    """Something was sent, but it does not look like one of our keys."""


class ApiKeyUnknown(ApiKeyError):
    """Well-formed, but no stored key has this hash."""


class ApiKeyRevoked(ApiKeyError):
    """The key was revoked by an administrator."""


class ApiKeyExpired(ApiKeyError):
    """The key is past its expiry date."""


class ApiKeyScopeDenied(ApiKeyError):
    """The key is valid but not for this: the client is known, so 403, not 401."""

    status_code = 403
