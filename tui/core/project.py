"""A project's settings, kept next to its annotations: which labels the project uses.

It lives in the annotations folder as a small TOML file people can read, edit and version::

    # annotations/.newsmark-project.toml
    schema = 1
    labels = ["PERSON", "ORG", "GPE", "LOC"]    # in number-key order

The label set decides which of the model's suggestions are shown and saved, the number keys
and the label picker, the colour legend and the labels every command works on by default
(``evaluate``, ``train``, ``export``, ``import``, ``suggest``, the memory). With no file, or
no ``labels`` in it, nothing is filtered: every label the model knows is offered, as before.

Other settings may join ``labels`` (a default ``model``, a review ``order``); keys this
version does not know are kept as they are when the file is written back.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tui.core import tomlout
from tui.core.fsutil import atomic_write

FILE_NAME = ".newsmark-project.toml"
SCHEMA = 1
_HEADER = (
    "# This annotation project's settings (see the README: Project labels).\n"
    "# labels: the labels the project uses, in number-key order.\n"
)
# A label as spaCy and every export format can carry it, and as --labels can list it.
_LABEL = re.compile(r"[^\s,]+")


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


L = TypeVar("L", bound=_Labelled)


class ProjectError(Exception):
    """The project file or a ``--labels`` value cannot be used; ``str()`` says what to do."""


def check_label(label: object) -> str | None:
    """Why ``label`` cannot be a label, or ``None`` when it can."""
    if not isinstance(label, str) or not label:
        return "a label is a non-empty string"
    if not _LABEL.fullmatch(label):
        return f"{label!r} holds a space or a comma, which a label cannot"
    return None


def parse_labels(value: str, option: str = "--labels") -> tuple[str, ...]:
    """``PERSON,ORG,GPE`` as labels in the order given; duplicates are dropped."""
    found: list[str] = []
    for part in value.split(","):
        label = part.strip()
        if not label:
            continue
        why = check_label(label)
        if why is not None:
            raise ProjectError(f"{option}: {why}; give labels separated by commas.")
        if label not in found:
            found.append(label)
    if not found:
        raise ProjectError(f"{option}: give at least one label, e.g. {option} PERSON,ORG.")
    return tuple(found)


@dataclass(frozen=True)
class Project:
    """An annotations folder's settings; ``labels`` empty means every label."""

    labels: tuple[str, ...] = ()
    model: str | None = None
    order: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys this version does not know, written back unchanged."""
    path: Path | None = None

    @property
    def restricts(self) -> bool:
        """Whether the project names its labels (else every label is the project's)."""
        return bool(self.labels)

    def keeps(self, label: str) -> bool:
        return not self.labels or label in self.labels

    def keep(self, items: Iterable[L]) -> list[L]:
        """The entities (anything with a ``label``) in the project's labels; an entity's
        ``alternative`` reading in another label is dropped too (never offered)."""
        kept = []
        for item in items:
            if not self.keeps(item.label):
                continue
            alternative = getattr(item, "alternative", None)
            if alternative is not None and not self.keeps(alternative.label):
                item = replace(item, alternative=None)  # type: ignore[type-var]
            kept.append(item)
        return kept

    def outside(self, labels: Iterable[str]) -> list[str]:
        """The labels among ``labels`` the project does not use, sorted."""
        return sorted({label for label in labels if not self.keeps(label)})

    def with_labels(self, labels: Sequence[str]) -> Project:
        return replace(self, labels=tuple(labels))

    def to_toml(self) -> str:
        doc: dict[str, Any] = {"schema": SCHEMA}
        if self.labels:
            doc["labels"] = list(self.labels)
        if self.model is not None:
            doc["model"] = self.model
        if self.order is not None:
            doc["order"] = self.order
        for key, value in self.extra.items():
            doc.setdefault(key, value)
        return _HEADER + tomlout.dumps(doc)


def path_in(annotations: Path) -> Path:
    return annotations / FILE_NAME


def exists(annotations: Path) -> bool:
    return path_in(annotations).is_file()


def load(annotations: Path) -> Project:
    """The project of an annotations folder; the empty project when it has no file."""
    path = path_in(annotations)
    try:
        data = path.read_bytes().decode("utf-8")
    except (FileNotFoundError, NotADirectoryError):  # a bad folder is the command's to say
        return Project(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path} cannot be read ({exc}); fix or delete it.") from None
    return parse(data, path)


def parse(data: str, path: Path) -> Project:
    def bad(what: str) -> ProjectError:
        return ProjectError(f"{path}: {what}; fix the file (see the README: Project labels).")

    try:
        doc = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"not valid TOML ({exc})") from None
    schema = doc.pop("schema", SCHEMA)
    if schema != SCHEMA:
        raise bad(f"schema {schema!r} is not one this newsmark reads (it reads {SCHEMA})")
    labels = doc.pop("labels", [])
    if not isinstance(labels, list):
        raise bad('labels should be a list, like labels = ["PERSON", "ORG"]')
    for label in labels:
        why = check_label(label)
        if why is not None:
            raise bad(f"labels: {why}")
    if len(set(labels)) != len(labels):
        twice = sorted({x for x in labels if labels.count(x) > 1})
        raise bad(f"labels lists {', '.join(twice)} twice")
    settings: dict[str, str | None] = {}
    for key in ("model", "order"):
        value = doc.pop(key, None)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise bad(f'{key} should be a non-empty string, like {key} = "..."')
        settings[key] = value
    return Project(tuple(labels), settings["model"], settings["order"], doc, path)


def save(annotations: Path, project: Project) -> Path:
    """Write the project file atomically; returns its path."""
    path = path_in(annotations)
    try:
        atomic_write(path, project.to_toml().encode("utf-8"))
    except OSError as exc:
        raise ProjectError(
            f"{path} could not be written ({exc.strerror or exc}); check the folder."
        ) from None
    return path


def update(annotations: Path, **changes: Any) -> Project:
    """Change some settings (``labels=(…)``, ``model="…"``, ``order="…"``), keep the others,
    write the file and return the project as written."""
    project = replace(load(annotations), **changes)
    parse(project.to_toml(), path_in(annotations))  # what is written must read back
    return replace(project, path=save(annotations, project))


def set_labels(annotations: Path, labels: Sequence[str]) -> Project:
    """Make ``labels`` the project's label set (other settings kept) and write the file."""
    return update(annotations, labels=tuple(labels))


def label_set(project: Project, given: str | None, option: str = "--labels") -> tuple[str, ...]:
    """The labels a command works on: ``given`` (comma separated), else the project's;
    empty means every label."""
    if given:
        return parse_labels(given, option)
    return project.labels
