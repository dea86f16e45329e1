"""Why an API key was refused: one exception per reason, each with the message the client sees."""


class ApiKeyError(Exception):
    """An API key was refused; `status_code` is what an HTTP API answers (401 unless said)."""

    status_code = 401

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiKeyMissing(ApiKeyError):
    pass


class ApiKeyMalformed(ApiKeyError):
    pass


class ApiKeyUnknown(ApiKeyError):
    pass


class ApiKeyRevoked(ApiKeyError):
    pass


class ApiKeyExpired(ApiKeyError):
    pass


class ApiKeyScopeDenied(ApiKeyError):
    """The key is valid but not for this: the client is known, so 403, not 401."""

    status_code = 403
