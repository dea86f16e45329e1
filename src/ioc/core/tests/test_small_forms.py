"""The one-pass split of small multipart forms gives Django's fields, or leaves the body to
Django's parser."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadhandler import load_handler
from django.http.multipartparser import MultiPartParser
from django.test.client import encode_multipart
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ioc.core import small_forms

BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"


def django_fields(body: bytes, boundary: str = BOUNDARY):
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(body)),
    }
    handlers = [load_handler(path) for path in settings.FILE_UPLOAD_HANDLERS]
    return MultiPartParser(meta, io.BytesIO(body), handlers, "utf-8").parse()


def part(headers: str, value: bytes) -> bytes:
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + value + b"\r\n"


def body_of(*parts: bytes, closing: bytes = f"--{BOUNDARY}--\r\n".encode()) -> bytes:
    return b"".join(parts) + closing


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
names = st.text(st.characters(exclude_categories=["Cs"], exclude_characters='"\\\r\n'), max_size=12)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(names, st.lists(texts, min_size=1, max_size=3)), max_size=8))
def test_a_form_of_text_fields_gives_what_django_gives(fields):
    # given a form as Django's test client encodes it (the browsers' layout)
    body = encode_multipart(BOUNDARY, dict(fields))

    # when
    parsed = small_forms.parse(body, BOUNDARY, "utf-8")

    # then (a form without fields is left to Django)
    posted, files = django_fields(body)
    assert parsed is not None or not fields
    assert parsed is None or list(parsed.lists()) == list(posted.lists())
    assert parsed is None or not parsed._mutable
    assert not files


def test_values_keep_line_breaks_dashes_and_vietnamese():
    value = "Ổ gà\r\n--không phải ranh giới\r\n\r\n--" + BOUNDARY[:-1]
    body = body_of(part('Content-Disposition: form-data; name="description"', value.encode()))

    assert small_forms.parse(body, BOUNDARY, "utf-8").getlist("description") == [value]
    assert django_fields(body)[0].getlist("description") == [value]


def test_a_content_type_on_a_field_is_ignored_as_django_does():
    body = body_of(
        part('Content-Disposition: form-data; name="note"\r\nContent-Type: text/plain', b"ok")
    )

    assert small_forms.parse(body, BOUNDARY, "utf-8").dict() == {"note": "ok"}
    assert django_fields(body)[0].dict() == {"note": "ok"}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            body_of(
                part(
                    'Content-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
                    "Content-Type: image/jpeg",
                    b"\xff\xd8\xff",
                )
            ),
            "a file",
        ),
        (
            body_of(part('Content-Disposition: form-data; name="photos"; filename=""', b"")),
            "an empty file input",
        ),
        (
            body_of(
                part(
                    'Content-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64',
                    b"b2s=",
                )
            ),
            "a transfer encoding",
        ),
        (body_of(part("Content-Disposition: form-data; name*=utf-8''t%C3%AAn", b"x")), "RFC 2231"),
        (body_of(part('Content-Disposition: form-data; name="a\\"b"', b"x")), "an escaped quote"),
        (body_of(part("Content-Type: text/plain", b"x")), "no Content-Disposition"),
        (
            b"preamble\r\n" + body_of(part('Content-Disposition: form-data; name="a"', b"x")),
            "a preamble",
        ),
        (
            body_of(part('Content-Disposition: form-data; name="a"', b"x"), closing=b""),
            "no closing boundary",
        ),
        (
            f"--{BOUNDARY}  \r\n".encode()
            + b'Content-Disposition: form-data; name="a"\r\n\r\nx\r\n'
            + f"--{BOUNDARY}--".encode(),
            "padding after the boundary",
        ),
    ],
)
def test_anything_else_is_left_to_django(body, why):
    assert small_forms.parse(body, BOUNDARY, "utf-8") is None, why


def test_more_fields_than_allowed_are_left_to_django(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    body = encode_multipart(BOUNDARY, {"a": "1", "b": "2", "c": "3"})

    assert small_forms.parse(body, BOUNDARY, "utf-8") is None


@pytest.mark.parametrize("boundary", ["", "a" * 71, "ends with a space ", "semi;colon"])
def test_an_unusual_boundary_is_left_to_django(boundary):
    assert small_forms.parse(b"--x\r\n", boundary, "utf-8") is None


def test_the_middleware_splits_a_small_form_before_the_view(client, settings):
    # given a view that echoes what it was posted, under the full middleware stack
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    split_before_the_view = []

    @csrf_exempt
    def echo(request):
        split_before_the_view.append(hasattr(request, "_post"))
        return JsonResponse({"fields": request.POST.dict(), "files": len(request.FILES)})

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("echo", echo)]})

    # when a form without files, then one with a file, is posted
    plain = client.post("/echo", {"name": "Lê Văn A", "note": "đèn hỏng"})
    with_file = client.post("/echo", {"name": "B", "photo": io.BytesIO(b"GIF89a")})

    # then
    assert plain.json() == {"fields": {"name": "Lê Văn A", "note": "đèn hỏng"}, "files": 0}
    assert with_file.json() == {"fields": {"name": "B"}, "files": 1}
    assert split_before_the_view == [True, False]
