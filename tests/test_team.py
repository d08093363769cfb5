"""The team file, passwords, routing with overlap, sign-in sessions and progress (no browser)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_agree import write
from tui.cli import main
from tui.core import team as team_file
from tui.core.progress import progress
from tui.core.signin import Sessions, Throttle
from tui.core.spans import Entity
from tui.core.team import TeamError, assign, check_name, hash_password, owners, verify_password

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- names and passwords ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "..",
        "kim/../lee",
        "a/b",
        "<b>kim</b>",
        "[bold]kim[/]",
        "kim&lee",
        ".hidden",
        "",
        "x" * 65,
        "kim\n",
        "kïm",
        "a..b",
        "C:\\x",
    ],
)
def test_names_that_cannot_be_folders_are_refused(name: str) -> None:
    with pytest.raises(TeamError, match="cannot be a team member's name"):
        check_name(name)


@pytest.mark.parametrize("name", ["kim", "Lee.W", "max_2", "a-b", "9"])
def test_plain_names_are_kept(name: str) -> None:
    assert check_name(name) == name


def test_passwords_are_salted_scrypt_hashes() -> None:
    one, two = hash_password(PASSWORD), hash_password(PASSWORD)
    assert one != two  # a fresh salt each time
    assert one.startswith("scrypt$") and PASSWORD not in one
    assert verify_password(PASSWORD, one) and verify_password(PASSWORD, two)
    assert not verify_password(PASSWORD + "!", one)
    assert not verify_password("", one)
    assert not verify_password(PASSWORD, None)  # an unknown name
    assert not verify_password(PASSWORD, "scrypt$1$1$1$AA==$AA==")  # a cost no hash may have
    assert not verify_password(PASSWORD, "plain text")


def test_the_same_salt_gives_the_same_hash_as_hashlib_scrypt() -> None:
    import base64
    import hashlib

    salt = bytes(range(16))
    stored = hash_password(PASSWORD, salt=salt)
    key = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    assert stored.split("$")[-1] == base64.b64encode(key).decode()


def test_team_file_round_trip_and_case_clash(tmp_path: Path) -> None:
    team = team_file.load(tmp_path)
    assert team.overlap == 1 and not team.members
    team = team.with_member("kim", PASSWORD).with_member("lee", PASSWORD).with_overlap(2)
    team.save()
    again = team_file.load(tmp_path)
    assert again.names == ["kim", "lee"] and again.overlap == 2
    assert verify_password(PASSWORD, again.members["kim"].password)
    assert (again.path.stat().st_mode & 0o777) == 0o600
    assert PASSWORD not in again.path.read_text()
    with pytest.raises(TeamError, match="already in the team"):
        again.with_member("KIM", PASSWORD)
    with pytest.raises(TeamError, match="not in the team"):
        again.without("bob")
    assert again.without("kim").names == ["lee"]


def test_hand_added_keys_and_quotes_survive_a_change(tmp_path: Path) -> None:
    team_file.load(tmp_path).with_member("kim", PASSWORD).save()
    path = team_file.team_path(tmp_path)
    text = path.read_text("utf-8").replace("added = ", 'email = "kim@example.org"\nadded = ')
    text = text.replace('added = "', 'added = "by \\"Lee\\" on ')
    path.write_text('project = "elections"\n' + text, "utf-8")
    team_file.load(tmp_path).with_member("lee", PASSWORD).with_overlap(2).save()
    again = team_file.load(tmp_path)  # still valid TOML, nothing dropped
    assert again.names == ["kim", "lee"] and again.extra == {"project": "elections"}
    assert again.members["kim"].extra == {"email": "kim@example.org"}
    assert again.members["kim"].added.startswith('by "Lee" on ')


def test_the_team_file_is_private_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real_open = os.open

    def spying(path: str, flags: int, mode: int = 0o777, **kw: object) -> int:
        if flags & os.O_CREAT:
            modes.append(mode)
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", spying)
    team_file.load(tmp_path).with_member("kim", PASSWORD).save()
    assert modes and all(mode == 0o600 for mode in modes)


def test_a_password_that_is_not_utf8_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = io.TextIOWrapper(io.BytesIO(b"p\xe9ssword123\n"), "utf-8", "surrogateescape")
    monkeypatch.setattr("sys.stdin", raw)
    argv = ["--articles", str(tmp_path), "--annotations", str(tmp_path / "a")]
    assert main([*argv, "team", "add", "kim", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not valid UTF-8" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("overlap = [", "not valid TOML"),
        ("overlap = 0", "overlap must be"),
        ('[members."../x"]\npassword = "scrypt$16384$8$1$AA==$AA=="', "cannot be a team"),
        ('[members.kim]\npassword = "hunter2"', "no usable password hash"),
    ],
)
def test_a_broken_team_file_is_one_sentence(tmp_path: Path, content: str, says: str) -> None:
    (tmp_path / team_file.TEAM_FILE).write_text(content)
    with pytest.raises(TeamError, match=says):
        team_file.load(tmp_path)


# -- routing ------------------------------------------------------------------------------

NAMES = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6), min_size=1, max_size=7
).map(lambda names: sorted(set(names)))
IDS = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40, unique=True)


@settings(max_examples=60, deadline=None)
@given(NAMES, IDS, st.integers(1, 4))
def test_every_article_goes_to_overlap_people(
    names: list[str], ids: list[str], overlap: int
) -> None:
    routed = assign(names, ids, overlap)
    for aid in ids:
        holders = [n for n in names if aid in routed[n]]
        assert len(holders) == min(overlap, len(names))
    for n in names:  # each list keeps the given (queue) order
        assert routed[n] == [aid for aid in ids if aid in routed[n]]
    assert routed == assign(list(reversed(names)), ids, overlap)  # the order of names is moot


@settings(max_examples=60, deadline=None)
@given(NAMES, IDS, st.integers(1, 3), st.text("xyz", min_size=7, max_size=8))
def test_adding_someone_moves_only_what_they_take(
    names: list[str], ids: list[str], overlap: int, newcomer: str
) -> None:
    for aid in ids:
        before = set(owners(names, aid, overlap))
        after = set(owners([*names, newcomer], aid, overlap))
        if newcomer in after:
            # the newcomer takes one place; everyone else keeps theirs
            assert len(before - after) == (1 if len(names) >= overlap else 0)
        else:
            assert before == after


def test_routing_spreads_the_work() -> None:
    ids = [f"article-{i}.txt" for i in range(3000)]
    routed = assign(["kim", "lee", "max"], ids, 2)
    for mine in routed.values():
        assert abs(len(mine) - 2000) < 120  # 2/3 of the articles each, within a few percent


# -- sign-in sessions ---------------------------------------------------------------------


def test_a_session_ends_when_it_expires_or_is_ended() -> None:
    clock = Clock()
    sessions = Sessions(lifetime=100, clock=clock)
    token = sessions.start("kim")
    assert sessions.who(token) == "kim"
    assert sessions.who(token + "x") is None and sessions.who(None) is None
    assert sessions.who("forged") is None
    clock.now += 99
    assert sessions.who(token) == "kim"
    clock.now += 1
    assert sessions.who(token) is None
    token = sessions.start("kim")
    sessions.end(token)
    assert sessions.who(token) is None
    lee, kim = sessions.start("lee"), sessions.start("kim")
    sessions.end_all("kim")
    assert sessions.who(kim) is None and sessions.who(lee) == "lee"


def test_more_than_five_failures_in_a_minute_block_the_name() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    for _ in range(5):
        assert not throttle.fail("kim")
        clock.now += 1
    assert not throttle.blocked("kim")
    assert throttle.fail("kim")  # the sixth
    assert throttle.blocked("kim") and not throttle.blocked("lee")
    assert 0 < throttle.retry_after("kim") <= 60
    clock.now += 56.5  # the first failure is now more than a minute old
    assert not throttle.blocked("kim")


# -- the command line ---------------------------------------------------------------------


def add(monkeypatch: pytest.MonkeyPatch, name: str, password: str = PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["team", "add", name, "--password-stdin"])


def test_team_add_list_remove(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "kim") == 0
    assert add(monkeypatch, "lee") == 0
    assert main(["team", "overlap", "2"]) == 0
    capsys.readouterr()
    assert main(["team", "list"]) == 0
    out = capsys.readouterr().out
    assert "overlap = 2" in out and "kim" in out and "lee" in out
    stored = (workdir / "annotations" / team_file.TEAM_FILE).read_text()
    assert PASSWORD not in stored and stored.count("scrypt$") == 2
    assert main(["team", "remove", "kim"]) == 0
    assert team_file.load(workdir / "annotations").names == ["lee"]


@pytest.mark.parametrize("name", ["../kim", "<script>x</script>", "kim/../../etc"])
def test_team_add_refuses_names_that_escape_or_carry_markup(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert add(monkeypatch, name) == 2
    err = capsys.readouterr().err
    assert "cannot be a team member's name" in err and "Traceback" not in err
    assert not (workdir / "annotations" / team_file.TEAM_FILE).exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["annotations", "articles"]


def test_team_add_refuses_a_short_password_or_no_terminal(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "kim", "short") == 2
    assert "too short" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD))
    assert main(["team", "add", "kim"]) == 2
    assert "--password-stdin" in capsys.readouterr().err


def corpus(root: Path, n: int) -> Path:
    articles = root / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (articles / f"a{i:02d}.txt").write_text(
            f"Ann Lee met Bob Smith in Paris on day {i}.", encoding="utf-8"
        )
    return articles


def test_progress_gives_the_figures_of_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = corpus(tmp_path, 12)
    ann = tmp_path / "annotations"
    team = team_file.load(ann)
    for name in ("kim", "lee", "max"):
        team = team.with_member(name, PASSWORD)
    team = team.with_overlap(2)
    team.save()
    routed = team.assignments(sorted(p.name for p in articles.iterdir()))
    person, bob = Entity(0, 7, "PERSON"), Entity(12, 21, "PERSON")
    for name in team.names:  # everyone accepts all but their last article
        for aid in routed[name][:-1]:
            spans = [person, bob] if name != "max" else [person, Entity(12, 15, "PERSON")]
            write(team.folder(name), articles, aid, spans, annotator=name)
    report = progress(team, articles)
    assert [m.assigned for m in report.members] == [len(routed[n]) for n in team.names]
    assert [m.reviewed for m in report.members] == [len(routed[n]) - 1 for n in team.names]
    assert sum(m.assigned for m in report.members) == 12 * 2
    where = ["--articles", str(articles), "--annotations", str(ann)]
    assert main(["team", "progress", "--json", *where]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == report.to_json()
    for pair in printed["pairs"]:
        a, b = ann / pair["a"], ann / pair["b"]
        assert main(["agree", str(a), str(b), "--json", "--articles", str(articles)]) in (0, 1)
        agreed = json.loads(capsys.readouterr().out)
        assert pair["compared"] == agreed["compared"]
        assert pair["overall"] == agreed["pairs"][0]["overall"]
        assert pair["cohen_kappa"] == agreed["kappa"]["value"]
    by_pair = {(p["a"], p["b"]): p for p in printed["pairs"]}
    assert by_pair[("kim", "lee")]["compared"] > 0  # kim and lee labelled alike
    assert by_pair[("kim", "lee")]["overall"]["f1"] == 1.0
    assert by_pair[("kim", "max")]["compared"] > 0  # max took "Bob" for "Bob Smith"
    assert by_pair[("kim", "max")]["overall"]["f1"] < 1.0


def test_member_view_is_their_folder_and_their_articles(tmp_path: Path) -> None:
    articles = corpus(tmp_path, 10)
    ann = tmp_path / "annotations"
    team_file.load(ann).with_member("kim", PASSWORD).with_member("lee", PASSWORD).save()
    folder, ids = team_file.member_view(ann, articles, "kim")
    assert folder == ann / "kim"
    _, others = team_file.member_view(ann, articles, "lee")
    assert set(ids).isdisjoint(others)
    assert sorted([*ids, *others]) == [f"a{i:02d}.txt" for i in range(10)]
    with pytest.raises(TeamError, match="not in the team"):
        team_file.member_view(ann, articles, "bob")


def test_open_as_a_member_needs_a_team(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["open", "--member", "kim"]) == 2
    assert "no team yet" in capsys.readouterr().err


def test_a_member_with_no_article_is_told_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = corpus(tmp_path, 1)
    ann = tmp_path / "annotations"
    team_file.load(ann).with_member("kim", PASSWORD).with_member("lee", PASSWORD).save()
    idle = next(n for n in ("kim", "lee") if not team_file.load(ann).assignments(["a00.txt"])[n])
    where = ["--articles", str(articles), "--annotations", str(ann)]
    assert main(["open", "--member", idle, *where]) == 2
    assert f"No article is routed to {idle} yet" in capsys.readouterr().err


def test_a_members_reader_offers_only_their_articles(tmp_path: Path) -> None:
    from tui.core.session import Session
    from tui.core.workspace import Workspace

    articles = corpus(tmp_path, 10)
    ann = tmp_path / "annotations"
    team_file.load(ann).with_member("kim", PASSWORD).with_member("lee", PASSWORD).save()
    folder, mine = team_file.member_view(ann, articles, "kim")
    session = Session(Workspace(articles, folder, "kim", only=mine))
    assert session.ids == mine
    seen, current = [], None
    while (current := session.next_unreviewed(current, seen)) is not None:
        seen.append(current)
    assert seen == mine  # next-unreviewed walks kim's articles only, in order
    session.merge_summaries(session.read_summaries())
    assert sorted(session.summaries) == sorted(mine)


def test_a_member_works_with_the_teams_labels(tmp_path: Path) -> None:
    import argparse

    from tui.commands.open_cmd import as_member
    from tui.core import project
    from tui.core.workspace import Workspace

    articles = corpus(tmp_path, 6)
    ann = tmp_path / "annotations"
    team_file.load(ann).with_member("kim", PASSWORD).save()
    project.set_labels(ann, ("PERSON", "ORG"))
    args = argparse.Namespace(articles=articles, annotations=ann, member="kim", annotator=None)
    as_member(args)
    assert args.annotations == ann / "kim" and args.annotator == "kim"
    workspace = Workspace(
        articles, args.annotations, args.annotator, args.only, project_from=args.project_from
    )
    assert workspace.project.labels == ("PERSON", "ORG")
    assert workspace.ids == args.only
