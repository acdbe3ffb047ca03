"""The edge (helhet.core.middleware.InputGuardMiddleware): control characters, unreadable bodies and too-large
bodies are a clear 400/413 before anything touches the database, and nothing is written.

On PostgreSQL each NUL here used to be a 500 (also anonymously, on the login form); on SQLite it was stored.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from helhet.core.world import synthetic_national_id

pytestmark = pytest.mark.django_db

API = "/api/v1"
PDF = b"%PDF-1.4\n%test\n"


def rows() -> dict:
    """Row counts of what the requests below could write: the API's tables, plans, login failures, audit."""
    from helhet.accounts.models import LoginFailure
    from helhet.audit.models import AuditEvent
    from helhet.plans.models import Goal, SubPlan
    from tests.api.conftest import counts

    out = counts()
    out.update(
        SubPlan=SubPlan.objects.count(),
        Goal=Goal.objects.count(),
        LoginFailure=LoginFailure.objects.count(),
        AuditEvent=AuditEvent.objects.count(),
    )
    return out


def refused_json(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "details"} and body["message"]
    return body


def refused_page(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="nb"' in html and "Traceback" not in html
    return html


def _person_body(world, **fields) -> dict:
    import datetime as dt

    body = {
        "national_id": synthetic_national_id(dt.date(1991, 6, 7), 55),
        "given_name": "Ny",
        "family_name": "Person",
        "home_municipality_id": world.orgs["fjordvik"].pk,
    }
    body.update(fields)
    return body


def post_json(client, path, body, method="post"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(client, method)(API + path, data=data, content_type="application/json")


# ---------------------------------------------------------------- the login form, anonymously


@pytest.mark.parametrize("encoded", [True, False], ids=["urlencoded", "multipart"])
def test_a_nul_in_the_login_form_is_a_400_page_anonymously_and_writes_nothing(world, encoded):
    before = rows()
    client = Client()
    if encoded:
        r = client.post("/login/", data="username=ke%00&password=x", content_type="application/x-www-form-urlencoded")
    else:
        r = client.post("/login/", {"username": "ke\x00", "password": "x"})
    html = refused_page(r, 400)
    assert "kontrolltegn" in html
    assert rows() == before  # not even a login failure was counted


def test_the_login_form_still_logs_in_after_the_guard_has_read_the_body(world):
    from helhet.core.world import DEMO_PASSWORD

    client = Client()
    r = client.post("/login/", data=f"username={world.users['coordinator'].username}&password={DEMO_PASSWORD}",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 302
    assert client.get("/mine/").status_code == 200


def test_a_control_character_in_a_cookie_drops_the_cookie_instead_of_reaching_the_session_table(world):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"  # sent as "abcdefgh\000ijklmnop", which Django unquotes to a NUL
    assert client.get("/login/").status_code == 200
    r = client.get("/mine/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


# ---------------------------------------------------------------- query strings


@pytest.mark.parametrize("path", ["/personer/", "/ke/"])
def test_a_nul_in_a_search_is_a_400_page(client_for, path):
    r = client_for("ke").get(path + "?q=a%00b")
    html = refused_page(r, 400)
    assert "kontrolltegn" in html
    assert client_for("ke").get(path + "?q=a%09b").status_code == 200  # a tab pasted from a spreadsheet is fine


def test_a_nul_in_an_api_query_is_a_json_400_that_names_the_parameter(client_for):
    r = client_for("ke").get(API + "/persons/?q=a%00b")
    body = refused_json(r, 400, "invalid_characters")
    assert list(body["details"]["fields"]) == ["q"]
    assert "U+0000" in body["details"]["fields"]["q"][0]


def test_a_nul_in_the_path_is_refused(client_for):
    refused_page(client_for("ke").get("/planer/1/seksjon/a%00b/"), 400)


# ---------------------------------------------------------------- JSON bodies


def test_a_nul_in_an_api_text_field_is_a_400_and_no_person_is_created(client_for, world):
    before = rows()
    r = post_json(client_for("ke"), "/persons/", _person_body(world, given_name="Ny\x00"))
    body = refused_json(r, 400, "invalid_characters")
    assert list(body["details"]["fields"]) == ["given_name"]
    assert rows() == before
    # The same body without the NUL goes through: the guard's read of the body leaves it readable for ninja.
    assert post_json(client_for("ke"), "/persons/", _person_body(world)).status_code == 201


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": "Gå tur\x07", "based_on_version": 0}, "text"),
        ({"text": "Gå tur", "based_on_version": 0, "extra": {"list": ["ok", "bad\x1b"]}}, "extra.list.1"),
        ({"text": "Gå tur", "based_on_version": 0, "k\x00ey": "v"}, "k\\u0000ey"),
    ],
    ids=["value", "nested", "key"],
)
def test_control_characters_anywhere_in_a_json_body_are_refused_and_no_goal_is_written(client_for, shared_plan, payload, field):
    payload["based_on_version"] = shared_plan.version
    before = rows()
    r = post_json(client_for("coordinator"), f"/plans/{shared_plan.pk}/goals", payload)
    body = refused_json(r, 400, "invalid_characters")
    assert field in body["details"]["fields"]
    assert rows() == before


def test_a_lone_surrogate_in_json_is_refused(client_for, world):
    before = rows()
    raw = json.dumps(_person_body(world)).replace('"Ny"', '"N\\ud800y"')
    body = refused_json(post_json(client_for("ke"), "/persons/", raw), 400, "invalid_characters")
    assert "given_name" in body["details"]["fields"]
    assert rows() == before


def test_tab_cr_and_lf_in_json_text_are_kept(client_for, shared_plan):
    from helhet.plans.models import Goal

    r = post_json(client_for("coordinator"), f"/plans/{shared_plan.pk}/goals",
                  {"based_on_version": shared_plan.version, "text": "Linje 1\r\nLinje 2\tslutt"})
    assert r.status_code == 201, r.content
    assert Goal.objects.filter(plan=shared_plan, text="Linje 1\r\nLinje 2\tslutt").exists()


@pytest.mark.parametrize("method", ["post", "patch"])
def test_malformed_json_is_a_structured_400(client_for, person, world, method):
    before = rows()
    path = "/persons/" if method == "post" else f"/persons/{person.pk}"
    r = post_json(client_for("ke"), path, '{"given_name": "Ny", ', method=method)
    refused_json(r, 400, "invalid_json")
    r = post_json(client_for("ke"), path, b"\xff\xfe\x00garbage", method=method)
    refused_json(r, 400, "invalid_json")
    r = post_json(client_for("ke"), path, "[" * 100_000 + "]" * 100_000, method=method)  # deeper than the parser's stack
    refused_json(r, 400, "invalid_json")
    assert rows() == before


def test_a_json_body_sent_as_text_plain_is_checked_too(client_for, world):
    # ninja parses the body of a JSON operation whatever its Content-Type says.
    before = rows()
    r = client_for("ke").post(API + "/persons/", data=json.dumps(_person_body(world, family_name="P\x00")), content_type="text/plain")
    refused_json(r, 400, "invalid_characters")
    assert rows() == before


# ---------------------------------------------------------------- multipart: fields, files, malformed


def _subplan_form(world, plan, **fields):
    data = {"based_on_version": plan.version, "kind": "iop", "title": "IOP", "responsible_unit": world.units["fjordvik_care"].pk,
            "responsible_unit_id": world.units["fjordvik_care"].pk}
    data.update(fields)
    return data


def test_a_nul_in_a_multipart_field_is_a_400_in_the_browser_and_the_api(client_for, shared_plan, world):
    client = client_for("coordinator")
    before = rows()
    upload = SimpleUploadedFile("iop.pdf", PDF, content_type="application/pdf")
    r = client.post(reverse("plan_item_add", args=[shared_plan.pk, "delplaner"]), _subplan_form(world, shared_plan, title="IOP\x00", file=upload))
    assert "kontrolltegn" in refused_page(r, 400)
    upload = SimpleUploadedFile("iop.pdf", PDF, content_type="application/pdf")
    r = client.post(f"{API}/plans/{shared_plan.pk}/subplans", _subplan_form(world, shared_plan, title="IOP\x00", file=upload))
    body = refused_json(r, 400, "invalid_characters")
    assert list(body["details"]["fields"]) == ["title"]
    assert rows() == before


def test_sub_plan_file_upload_still_works_in_the_browser_and_the_api(client_for, shared_plan, world):
    from helhet.plans.models import SubPlan

    client = client_for("coordinator")
    upload = SimpleUploadedFile("iop.pdf", PDF, content_type="application/pdf")
    r = client.post(reverse("plan_item_add", args=[shared_plan.pk, "delplaner"]),
                    _subplan_form(world, shared_plan, text="Linje 1\r\nLinje 2\t.", file=upload))
    assert r.status_code in (200, 302), r.content
    first = SubPlan.objects.get(plan=shared_plan)
    assert first.file_name == "iop.pdf" and first.text == "Linje 1\r\nLinje 2\t."
    assert first.file.open("rb").read() == PDF
    shared_plan.refresh_from_db()
    upload = SimpleUploadedFile("behandling.pdf", PDF, content_type="application/pdf")
    r = client.post(f"{API}/plans/{shared_plan.pk}/subplans", _subplan_form(world, shared_plan, title="Plan 2", file=upload))
    assert r.status_code == 201, r.content
    assert SubPlan.objects.filter(plan=shared_plan, file_name="behandling.pdf").exists()


def test_a_control_character_in_a_file_name_is_never_stored(client_for, shared_plan, world):
    # Django's multipart parser drops non-printable characters from file names before anything sees them;
    # the guard checks the names it gets as well. Either way, no control character reaches the table.
    from helhet.plans.models import SubPlan

    upload = SimpleUploadedFile("i\x00o\x07p.pdf", PDF, content_type="application/pdf")
    r = client_for("coordinator").post(f"{API}/plans/{shared_plan.pk}/subplans", _subplan_form(world, shared_plan, file=upload))
    assert r.status_code in (201, 400), r.content
    assert not any(ch in name for name in SubPlan.objects.values_list("file_name", flat=True) for ch in "\x00\x07")


def test_a_multipart_body_without_a_boundary_is_a_json_400_even_anonymously_with_only_the_csrf_cookie(world, client_for):
    before = rows()
    anon = Client()
    anon.get("/login/")  # receives the csrftoken cookie
    assert "csrftoken" in anon.cookies
    for client in (anon, client_for("ke")):
        r = client.post(API + "/persons/", data=b"--x\r\nbroken", content_type="multipart/form-data")
        refused_json(r, 400, "malformed_body")
    assert rows() == before


def test_a_multipart_body_without_a_boundary_is_a_400_page_in_the_browser(world, client_for):
    before = rows()
    r = Client().post("/login/", data=b"--x\r\nbroken", content_type="multipart/form-data")
    refused_page(r, 400)
    r = client_for("ke").post(reverse("person_create"), data=b"garbage", content_type="multipart/form-data; boundary=")
    refused_page(r, 400)
    assert rows() == before


# ---------------------------------------------------------------- too large


def test_a_body_over_the_upload_limit_is_a_413_in_the_api_and_the_browser(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    before = rows()
    r = post_json(client_for("ke"), "/persons/", _person_body(world, given_name="N" * 3_000))
    refused_json(r, 413, "request_too_large")
    anon = Client()
    r = anon.post(API + "/persons/", data="x" * 3_000, content_type="application/json")
    refused_json(r, 413, "request_too_large")
    r = anon.post("/login/", data="username=" + "k" * 3_000 + "&password=x", content_type="application/x-www-form-urlencoded")
    assert "for stor" in refused_page(r, 413)
    # multipart: only the fields count against the limit, not the file
    r = client_for("ke").post(reverse("person_create"), {"given_name": "N" * 3_000})
    refused_page(r, 413)
    assert rows() == before


def test_a_file_larger_than_the_body_limit_still_uploads(client_for, shared_plan, world, settings):
    from helhet.plans.models import SubPlan

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000  # streamed to a temporary file
    content = PDF + b"0" * 50_000
    upload = SimpleUploadedFile("stor.pdf", content, content_type="application/pdf")
    r = client_for("coordinator").post(f"{API}/plans/{shared_plan.pk}/subplans", _subplan_form(world, shared_plan, file=upload))
    assert r.status_code == 201, r.content
    assert SubPlan.objects.get(file_name="stor.pdf").file.open("rb").read() == content


def test_a_form_encoded_patch_is_checked_although_django_does_not_parse_it(client_for, person):
    before = rows()
    r = client_for("ke").patch(f"{API}/persons/{person.pk}", data="phone=1%002", content_type="application/x-www-form-urlencoded")
    body = refused_json(r, 400, "invalid_characters")
    assert list(body["details"]["fields"]) == ["phone"]
    assert rows() == before


def test_too_many_fields_is_a_400_not_a_500(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    r = Client().get("/api/v1/persons/?" + "&".join(f"a{i}=1" for i in range(10)))
    refused_json(r, 400, "too_many_fields")
    r = Client().post("/login/", data="&".join(f"a{i}=1" for i in range(10)), content_type="application/x-www-form-urlencoded")
    refused_page(r, 400)
