from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from tests.web.conftest import PASSWORD, Cast
from walkrx.web.patients.actions import send_invitation


def test_it_sends_anonymous_visitors_to_the_login_page(cast: Cast) -> None:
    response = Client().get("/clinic/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_logs_a_clinician_in_and_lands_on_the_caseload(cast: Cast) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "ALICE@north.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/clinic/"
    assert "Pat Able" in response.content.decode()


def test_it_lands_a_patient_on_their_own_page(cast: Cast) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "pat.a@example.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/me/"
    assert "Hello Pat" in response.content.decode()


def test_it_gives_the_same_answer_for_unknown_user_and_wrong_password(cast: Cast) -> None:
    unknown = Client().post("/accounts/login/", {"username": "nobody@x.test", "password": "x" * 12})
    wrong = Client().post(
        "/accounts/login/", {"username": "alice@north.test", "password": "x" * 12}
    )
    assert unknown.status_code == wrong.status_code == 200
    assert "do not match" in unknown.content.decode()

    def normalised(body: bytes, email: str) -> str:
        return re.sub(r'value="[^"]{30,}"', "", body.decode()).replace(email, "EMAIL")

    assert normalised(unknown.content, "nobody@x.test") == normalised(
        wrong.content, "alice@north.test"
    )


def test_it_logs_out_on_post_only(cast: Cast) -> None:
    client = cast.client_for("clinician")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/clinic/").status_code == 302


def test_it_resets_a_password_by_email_link_once(cast: Cast) -> None:
    client = Client()
    client.post("/accounts/password/reset/", {"email": "pat.a@example.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a brand new walking password"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Your new password is saved" in done.content.decode()
    assert Client().login(username="pat.a@example.test", password=new_password)
    reused = Client().get(link.group(1), follow=True)
    assert "This link no longer works" in reused.content.decode()


def test_it_does_not_reveal_whether_an_address_has_an_account(cast: Cast) -> None:
    known = Client().post("/accounts/password/reset/", {"email": "pat.a@example.test"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_it_lets_an_invited_patient_choose_a_password(cast: Cast) -> None:
    cast.patient_b.user.set_unusable_password()
    cast.patient_b.user.save()
    send_invitation(cast.patient_b, base_url="http://testserver")
    message = mail.outbox[-1]
    assert "Northside Physio invites you" in message.subject
    assert "pain" not in message.body.lower()
    link = re.search(r"http://testserver(/accounts/welcome/\S+)", message.body)
    assert link is not None
    client = Client()
    page = client.get(link.group(1), follow=True)
    assert "Welcome to walkrx" in page.content.decode()
    password = "walking every single day"
    client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert client.get("/me/").status_code == 200


def test_it_refuses_a_short_password(cast: Cast) -> None:
    client = cast.client_for("patient_a")
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_it_sets_security_headers_on_pages(cast: Cast) -> None:
    response = Client().get("/accounts/login/")
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
