"""One Pilot test per row of the key table, each checking the TOML on disk afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Footer

from tests.ui.conftest import (
    FIRST,
    SECOND,
    MakeApp,
    cursor_text,
    ents,
    labelled,
    ready,
    toml,
    view,
)
from tui.screens.articles import ArticlePicker
from tui.screens.help import HelpScreen
from tui.screens.labels import LabelPicker
from tui.screens.search import SearchPrompt

SIZE = (104, 30)


async def test_right_l_left_h_move_by_token(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("right", "l")
        assert cursor_text(view(app)) == "China"
        await pilot.press("2")  # ORG, over the model's GPE
        await pilot.press("left", "h", "1")
        assert cursor_text(view(app)) == "Shafaq"
    assert ents(workdir, FIRST)[:2] == [("Shafaq", "PERSON", "user"), ("China", "ORG", "user")]


async def test_down_up_page_home_end(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.press("down", "j")
        assert v.row_of(v.tokens.starts[v.cursor]) == 2
        await pilot.press("k")
        assert v.row_of(v.tokens.starts[v.cursor]) == 1
        row1 = cursor_text(v)
        await pilot.press("1")
        await pilot.press("pagedown")
        assert v.row_of(v.tokens.starts[v.cursor]) > 20
        await pilot.press("pageup", "up")
        assert v.cursor == 0
        await pilot.press("end")
        assert v.cursor == len(v.tokens) - 1
        await pilot.press("5")  # NORP on the last token
        await pilot.press("home")
        assert v.cursor == 0
    on_disk = ents(workdir, FIRST)
    assert (row1, "PERSON", "user") in on_disk
    assert on_disk[-1] == (".", "NORP", "user")


async def test_n_and_N_jump_between_entities(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "n")
        assert cursor_text(view(app)) == "Iran"
        await pilot.press("N")
        assert cursor_text(view(app)) == "China"
        await pilot.press("1")
    assert ents(workdir, FIRST)[0] == ("China", "PERSON", "user")


async def test_shift_right_L_and_H_extend_the_selection(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("shift+right", "L", "2")  # Shafaq News/ China
        await pilot.press("end", "H", "shift+left", "4")  # the last three tokens
    on_disk = ents(workdir, FIRST)
    assert on_disk[0] == ("Shafaq News/ China", "ORG", "user")
    assert on_disk[-1] == ("humanitarian crisis.", "LOC", "user")


async def test_escape_clears_the_selection(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("L", "L", "escape")
        assert view(app).selection is None
        await pilot.press("1")  # now only the cursor's token: China
    assert ents(workdir, FIRST)[0] == ("China", "PERSON", "user")


async def test_number_keys_label_in_the_order_shown(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        assert screen.labels[:3] == ["PERSON", "ORG", "GPE"]
        for key in "123456789":
            await pilot.press("l", key)
    labels = [label for _, label, _ in ents(workdir, FIRST)[:9]]
    assert labels == screen.labels[:9]


async def test_t_opens_the_label_picker(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "t")
        assert isinstance(app.screen, LabelPicker)
        await pilot.press("l", "o", "c", "enter")
        await pilot.press("right", "right", "t", "m", "y", "_", "n", "e", "w", "enter")
    on_disk = ents(workdir, FIRST)
    assert on_disk[0] == ("China", "LOC", "user")
    assert ("support", "MY_NEW", "user") in on_disk  # a label the model does not have


async def test_x_and_delete_remove_the_entity(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "x", "n", "delete")
    texts = [t for t, _, _ in ents(workdir, FIRST)]
    assert texts[:2] == ["Pezeshkian", "Wang Yi"]
    assert toml(workdir, FIRST)["status"] == "in_progress"


async def test_brackets_move_the_entity_edges(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n")  # China
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert ents(workdir, FIRST)[0][0] == "China expressed support"
        await pilot.press("left_square_bracket")
        assert ents(workdir, FIRST)[0][0] == "China expressed"
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        assert ents(workdir, FIRST)[0][0] == "Shafaq News/ China expressed"
        await pilot.press("right_curly_bracket")
    assert ents(workdir, FIRST)[0] == ("News/ China expressed", "GPE", "user")


async def test_ctrl_arrows_split_shafaq_news(make_app: MakeApp, workdir: Path) -> None:
    """The issue's case: "Shafaq News/ China" becomes "Shafaq News" ORG and "China" GPE."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("L", "L", "2")  # the model's mistake, as one ORG
        assert ents(workdir, FIRST)[0] == ("Shafaq News/ China", "ORG", "user")
        await pilot.press("home", "left_square_bracket", "ctrl+left")
        assert ents(workdir, FIRST)[0] == ("Shafaq News", "ORG", "user")
        await pilot.press("ctrl+right", "ctrl+left")  # and back: "Shafaq News/" then again
        await pilot.press("l", "l", "3")
        await pilot.press("home", "L", "ctrl+left", "ctrl+left", "ctrl+right", "2")
    assert ents(workdir, FIRST)[:2] == [
        ("Shafaq News", "ORG", "user"),
        ("China", "GPE", "user"),
    ]


async def test_A_labels_every_occurrence(make_app: MakeApp, workdir: Path) -> None:
    """The issue's case: "Pezeshkian", tagged NORP, becomes PERSON everywhere."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("tab")
        assert app.screen.focused is view(app, "right")
        while cursor_text(view(app, "right")) != "Pezeshkian":
            await pilot.press("n")
        await pilot.press("1", "A")
    assert labelled(workdir, SECOND, "Pezeshkian") == ["PERSON"] * 7


async def test_u_and_ctrl_r_undo_and_redo(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "1")
        assert ents(workdir, FIRST)[0] == ("China", "PERSON", "user")
        await pilot.press("u")
        assert ents(workdir, FIRST)[0] == ("China", "GPE", "model")
        await pilot.press("ctrl+r")
    assert ents(workdir, FIRST)[0] == ("China", "PERSON", "user")


async def test_a_r_s_review_and_open_the_next(make_app: MakeApp, workdir: Path) -> None:
    for n in (1, 2, 3):
        shutil.copy(workdir / "articles" / f"{FIRST}.txt", workdir / "articles" / f"10{n}.txt")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("a")
        await ready(app, pilot)
        assert screen.panes[0].id == "101.txt"
        await pilot.press("r")
        await ready(app, pilot)
        assert screen.panes[0].id == "102.txt"
        await pilot.press("s")
        await ready(app, pilot)
        assert screen.panes[0].id == "103.txt"
    assert toml(workdir, FIRST)["status"] == "accepted"
    assert toml(workdir, "101")["status"] == "rejected"
    assert toml(workdir, "102")["status"] == "skipped"
    assert toml(workdir, "103")["status"] == "unreviewed"  # suggested when opened
    assert ents(workdir, "103") == ents(workdir, "102")


async def test_o_opens_the_article_picker(make_app: MakeApp, workdir: Path) -> None:
    shutil.copy(workdir / "articles" / f"{FIRST}.txt", workdir / "articles" / "zz_new.txt")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("o")
        assert isinstance(app.screen, ArticlePicker)
        await pilot.press("z", "z", "enter")
        await ready(app, pilot)
        assert screen.panes[0].id == "zz_new.txt"
        await pilot.press("n", "2")
    assert ents(workdir, "zz_new")[0] == ("China", "ORG", "user")
    assert toml(workdir, "zz_new")["model"] == "blank_en_ruler 0.0.0"


async def test_slash_searches_and_enter_finds_the_next(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchPrompt)
        await pilot.press(*"wang", "enter")
        v = view(app)
        first = v.cursor
        assert cursor_text(v) == "Wang"
        await pilot.press("enter")
        assert v.cursor > first and cursor_text(v) == "Wang"
        await pilot.press("2")
    assert labelled(workdir, FIRST, "Wang") == ["ORG"]


async def test_question_mark_shows_help_and_writes_nothing(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = (workdir / "annotations" / f"{FIRST}.toml").read_bytes()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
    assert (workdir / "annotations" / f"{FIRST}.toml").read_bytes() == before


async def test_q_quits_with_everything_saved(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "1", "q")
        await pilot.pause()
        assert not app.is_running
    assert ents(workdir, FIRST)[0] == ("China", "PERSON", "user")
    assert not (workdir / "annotations" / ".newsmark.lock").exists()


async def test_ctrl_c_quits_even_from_a_picker(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "2", "t", "ctrl+c")
        await pilot.pause()
        assert not app.is_running
    assert ents(workdir, FIRST)[0] == ("China", "ORG", "user")


async def test_tab_switches_panes_and_edits_go_to_that_article(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("tab", "n", "2", "tab", "n", "4")
        assert app.screen.focused is view(app, "left")
    assert ents(workdir, SECOND)[0][1] == "ORG"
    assert ents(workdir, FIRST)[0] == ("China", "LOC", "user")


async def test_p_hides_highlights_without_changing_anything(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        before = (workdir / "annotations" / f"{FIRST}.toml").read_bytes()
        await pilot.press("p")
        assert v.plain
        assert "GPE" not in "".join(s.text for s in v.render_line(0))
        await pilot.press("p")
        assert "GPE" in "".join(s.text for s in v.render_line(0))
    assert (workdir / "annotations" / f"{FIRST}.toml").read_bytes() == before


async def test_e_focuses_the_entity_list_and_enter_jumps(make_app: MakeApp, workdir: Path) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = len(ents(workdir, FIRST))
        await pilot.press("e", "down", "enter")
        v = view(app)
        assert app.screen.focused is v
        assert v.entity_at_cursor() is not None
        await pilot.press("x")
    assert len(ents(workdir, FIRST)) == before - 1


async def test_ctrl_shift_arrows_move_the_start_by_a_character(
    make_app: MakeApp, workdir: Path
) -> None:
    """Words glued to punctuation: "News/" becomes "/" ... and back, by character."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("l", "L", "ctrl+shift+right", "ctrl+shift+right")
        await pilot.press("ctrl+shift+right", "ctrl+shift+right", "2")
        assert ents(workdir, FIRST)[0] == ("/ China", "ORG", "user")
        await pilot.press("ctrl+shift+left", "ctrl+shift+left", "ctrl+shift+left")
    assert ents(workdir, FIRST)[0] == ("ews/ China", "ORG", "user")


async def test_the_footer_shows_help_label_and_select_keys_at_80_columns(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        footer = app.screen.query_one(Footer)
        region = footer.region
        shown = [
            (key.key_display, key.description)
            for key in footer.query("FooterKey")
            if key.region.right <= region.right and key.region.width > 0
        ]
        assert ("?", "Help") in shown
        assert ("1–9", "Label") in shown
        assert ("L/H", "Select") in shown


async def test_help_says_a_number_on_a_plain_token_makes_an_entity(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(
            str(static.render()) for static in app.screen.query("Static")
        )  # the key table and the footnote
        assert "a plain token makes a one-token entity" in text
        await pilot.press("escape", "l", "3")  # and it does
    assert ents(workdir, FIRST)[0] == ("News/", "GPE", "user")
