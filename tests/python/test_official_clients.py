"""The official `lattica-studio` / `lattica-query` clients talk to the sandbox unchanged."""

from decimal import Decimal

import pytest
from lattica_query.errors import AuthenticationError, ClientVersionError
from lattica_studio import LatticaStudio


def test_account_info_has_every_published_field(sandbox):
    with LatticaStudio(sandbox.token) as studio:
        info = studio.account.get()
    for field in ("accountId", "createdAt", "email", "companyName", "contactName",
                  "phoneNumber", "credits", "authExpDate"):
        assert info[field] is not None, field


def test_credits_and_transactions(sandbox):
    with LatticaStudio(sandbox.token) as studio:
        credits = Decimal(str(studio.finance.get_credits()))
        payments = studio.finance.list_transactions()
    assert credits > 0
    assert len(payments) >= 1
    assert all("id" in p and "amount" in p for p in payments)


def test_workers_start_poll_and_stop(sandbox):
    with LatticaStudio(sandbox.token) as studio:
        models = studio._http.call("api/model/list_models")["models"]
        model_id = models[-1]["modelId"]
        started = studio.workers.start(model_id, poll_interval=0.1, timeout=10)
        assert started.is_ready
        active = studio.workers.active(model_id)
        assert started.session_id in {w.session_id for w in active}
        stopped = studio.workers.stop(model_id=model_id, session_id=started.session_id)
        assert stopped.status == "STOPPED"
        assert started.session_id not in {w.session_id for w in studio.workers.active(model_id)}


def test_bad_token_is_an_authentication_error(sandbox):
    with LatticaStudio("not-a-real-token") as studio:
        with pytest.raises(AuthenticationError) as caught:
            studio.finance.get_credits()
    assert caught.value.status_code == 401


def test_outdated_client_is_told_the_minimum_version(sandbox):
    sandbox.control("set_min_client_version", {"version": "99.0.0"})
    with LatticaStudio(sandbox.token) as studio:
        with pytest.raises(ClientVersionError) as caught:
            studio.finance.get_credits()
    assert caught.value.min_version == "99.0.0"
