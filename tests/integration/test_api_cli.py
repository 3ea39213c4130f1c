"""`restock token`, `restock user` and `restock schedule --once` as an operator runs them."""

from __future__ import annotations

import io

import psycopg
import pytest

from restock.api.users import verify_password
from restock.cli.main import main
from tests.integration.test_api_fixtures import Api, api_fixture  # noqa: F401 (fixture)


def test_a_token_created_on_the_command_line_works_in_the_api(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RESTOCK_DATABASE_URL", database_url)
    assert main(["token", "create", "--role", "rep", "--rep", "rep-2", "--name", "Baba"]) == 0
    token = capsys.readouterr().out.strip()
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["role"], me["rep_id"]) == ("rep", "rep-2")
    assert main(["token", "revoke", str(me["token_id"])]) == 0
    assert api.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_rep_token_without_its_rep_is_refused_with_the_reason(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RESTOCK_DATABASE_URL", database_url)
    assert main(["token", "create", "--role", "rep"]) == 2
    assert "needs a rep id" in capsys.readouterr().err
    assert main(["token", "create", "--role", "rep", "--rep", "nobody"]) == 2
    assert "rep 'nobody' does not exist" in capsys.readouterr().err


def test_schedule_once_runs_a_job_and_a_second_run_of_the_slot_does_not(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RESTOCK_DATABASE_URL", database_url)
    monkeypatch.setenv("RESTOCK_SCHEDULE_OFFLINE_SWEEP_S", "86400")
    assert main(["schedule", "--once", "offline_sweep"]) == 0
    assert main(["schedule", "--once", "offline_sweep"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "offline_sweep: done",
        "offline_sweep: already_run",
    ]


def test_users_of_the_pages_are_made_and_their_passwords_changed_on_the_command_line(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RESTOCK_DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("first password\n"))
    assert main(["user", "create", "aoki", "--role", "rep", "--rep", "rep-1",
                 "--password-stdin"]) == 0  # fmt: skip
    assert capsys.readouterr().out == "user aoki: rep for rep rep-1\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "passwd", "aoki", "--password-stdin"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("second password\n"))
    assert main(["user", "passwd", "aoki", "--password-stdin"]) == 0
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE name = 'aoki'").fetchone()
    assert stored is not None and verify_password("second password", stored[0])
    monkeypatch.setattr("sys.stdin", io.StringIO("any password\n"))
    assert main(["user", "create", "aoki", "--role", "planner", "--password-stdin"]) == 2
    assert "exists already" in capsys.readouterr().err
