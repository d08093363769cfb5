"""The project file: a label set per annotations folder, validated, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.core import project
from tui.core.project import Project, ProjectError
from tui.core.spans import Entity


def test_no_file_is_the_empty_project_that_keeps_every_label(tmp_path: Path) -> None:
    p = project.load(tmp_path)
    assert not p.restricts
    assert p.keeps("CARDINAL") and p.keeps("ANYTHING")
    assert not project.exists(tmp_path)


def test_set_labels_writes_a_file_that_loads_back_in_order(tmp_path: Path) -> None:
    written = project.set_labels(tmp_path, ["PERSON", "ORG", "GPE", "LOC"])
    assert written.path == tmp_path / project.FILE_NAME
    loaded = project.load(tmp_path)
    assert loaded.labels == ("PERSON", "ORG", "GPE", "LOC")
    assert loaded.keeps("ORG") and not loaded.keeps("DATE")
    assert loaded.outside(["DATE", "ORG", "CARDINAL", "DATE"]) == ["CARDINAL", "DATE"]
    text = (tmp_path / project.FILE_NAME).read_text()
    assert text.startswith("#") and 'labels = [\n    "PERSON",' in text


def test_other_settings_and_unknown_keys_survive_a_relabel(tmp_path: Path) -> None:
    (tmp_path / project.FILE_NAME).write_text(
        'schema = 1\nlabels = ["A"]\nmodel = "en_core_web_sm"\norder = "uncertain"\n'
        "[later]\nx = 1\n"
    )
    project.set_labels(tmp_path, ["B", "C"])
    loaded = project.load(tmp_path)
    assert loaded.labels == ("B", "C")
    assert loaded.model == "en_core_web_sm" and loaded.order == "uncertain"
    assert loaded.extra == {"later": {"x": 1}}


def test_update_changes_one_setting_and_refuses_what_would_not_read_back(
    tmp_path: Path,
) -> None:
    project.set_labels(tmp_path, ["PERSON"])
    updated = project.update(tmp_path, model="en_core_web_sm", order="uncertain")
    assert updated.path == tmp_path / project.FILE_NAME
    loaded = project.load(tmp_path)
    assert (loaded.labels, loaded.model, loaded.order) == (
        ("PERSON",),
        "en_core_web_sm",
        "uncertain",
    )
    before = (tmp_path / project.FILE_NAME).read_bytes()
    with pytest.raises(ProjectError, match="model should be"):
        project.update(tmp_path, model="  ")
    assert (tmp_path / project.FILE_NAME).read_bytes() == before


def test_keep_filters_entities_by_label_and_their_alternatives() -> None:
    from tui.core.spans import Alternative

    p = Project(("PERSON", "ORG"))
    found = [Entity(0, 3, "PERSON", "model"), Entity(4, 8, "DATE", "model")]
    assert p.keep(found) == [found[0]]
    assert Project().keep(found) == found
    org, art = Alternative(0, 3, "ORG", 0.2), Alternative(0, 3, "WORK_OF_ART", 0.2)
    offered = [Entity(0, 3, "PERSON", "model", alternative=org)]
    assert p.keep(offered) == offered
    outside = [Entity(0, 3, "PERSON", "model", alternative=art)]
    assert p.keep(outside) == [Entity(0, 3, "PERSON", "model")]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("labels = [", "not valid TOML"),
        ("schema = 7", "schema 7"),
        ('labels = "PERSON"', "should be a list"),
        ('labels = ["PERSON", 3]', "non-empty string"),
        ('labels = ["NEW YORK"]', "space or a comma"),
        ('labels = ["A", "B", "A"]', "lists A twice"),
        ("model = 3", "model should be"),
    ],
)
def test_a_bad_file_is_one_sentence_naming_it(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / project.FILE_NAME).write_text(text)
    with pytest.raises(ProjectError) as caught:
        project.load(tmp_path)
    message = str(caught.value)
    assert says in message and project.FILE_NAME in message and "\n" not in message


def test_undecodable_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / project.FILE_NAME).write_bytes(b"\xff\xfe labels")
    with pytest.raises(ProjectError, match="cannot be read"):
        project.load(tmp_path)


def test_parse_labels_keeps_order_and_refuses_nothing() -> None:
    assert project.parse_labels(" PER , ORG,,PER,LOC ") == ("PER", "ORG", "LOC")
    with pytest.raises(ProjectError, match="at least one label"):
        project.parse_labels(" , ")


def test_label_set_prefers_the_option_over_the_file() -> None:
    p = Project(("PERSON", "ORG"))
    assert project.label_set(p, None) == ("PERSON", "ORG")
    assert project.label_set(p, "GPE") == ("GPE",)
    assert project.label_set(Project(), None) == ()


labels = st.lists(
    st.text(
        st.characters(
            blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters=","
        ),
        min_size=1,
        max_size=12,
    ),
    unique=True,
    max_size=8,
)


@given(labels)
def test_any_valid_label_set_round_trips(
    tmp_path_factory: pytest.TempPathFactory, found: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("project")
    project.set_labels(folder, found)
    assert project.load(folder).labels == tuple(found)
