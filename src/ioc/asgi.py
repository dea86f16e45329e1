"""ASGI entry point, served by uvicorn under `ioc serve`."""

import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc.settings")
logger = logging.getLogger("ioc.requests")


def quiet_after_disconnect(app):
    """The ASGI app, where an error raised after the client disconnected is logged as
    information. Django keeps running a synchronous view on its thread after the client
    has gone; when that view hands back to the event loop, asgiref raises ("CurrentThread
    Executor already quit") and the server would log an error with its traceback for an
    answer nobody waits for. Errors before a disconnect are raised as ever."""

    async def application(scope, receive, send):
        gone = False

        async def receive_noting_disconnect():
            nonlocal gone
            message = await receive()
            gone = gone or message["type"] == "http.disconnect"
            return message

        try:
            await app(scope, receive_noting_disconnect, send)
        except Exception as error:
            if not gone:
                raise
            logger.info("client gone: %s %s (%r)", scope.get("method"), scope.get("path"), error)

    return application


application = quiet_after_disconnect(get_asgi_application())
