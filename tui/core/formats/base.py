"""One interface for every format, and one plan for every export.

A :class:`Format` names itself, says whether it writes one file (``suffix``) or a folder,
and implements :meth:`Format.write` (an :class:`ExportPlan` out) and/or :meth:`Format.read`
(records in). ``export``, ``import`` and ``train`` look formats up in :data:`REGISTRY`
instead of branching on names, so adding a format is adding one class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, TypeVar

from tui.core.edits import Status
from tui.core.formats.records import Record
from tui.core.formats.select import Item, label_counts, split

Progress = Callable[[int], None]


def no_progress(n: int) -> None:
    return None


@dataclass(frozen=True)
class ExportPlan:
    """What to write: the selected articles, their parts (train/dev or all), and where."""

    items: tuple[Item, ...]
    parts: dict[str, tuple[Item, ...]]
    out: Path
    statuses: frozenset[Status]
    seed: int = 0
    model: str | None = None  # spacy: the base pipeline (its tokenizer and ner)
    dev_is_train: bool = False  # too few articles to hold any out: dev repeats train

    @classmethod
    def make(
        cls,
        items: list[Item],
        out: Path,
        statuses: frozenset[Status],
        *,
        dev_fraction: float,
        seed: int = 0,
        model: str | None = None,
        needs_dev: bool = False,
    ) -> ExportPlan:
        """Split by article; ``needs_dev`` (spaCy) always writes a dev part, even a copy."""
        train, dev = split(items, dev_fraction, seed)
        dev_is_train = needs_dev and not dev
        if dev_fraction > 0 or needs_dev:
            parts = {"train": tuple(train), "dev": tuple(train if dev_is_train else dev)}
        else:
            parts = {"all": tuple(items)}
        return cls(tuple(items), parts, out, statuses, seed, model, dev_is_train)

    @property
    def split(self) -> bool:
        return "all" not in self.parts

    @property
    def labels(self) -> Counter[str]:
        """Entities per label as the TOML files hold them: what every writer must write."""
        return label_counts(self.items)

    @property
    def complete_only(self) -> bool:
        """Only accepted (and rejected) articles say that unlabelled text is no entity."""
        return not (self.statuses - {"accepted", "rejected"})

    def path_for(self, part: str, suffix: str) -> Path:
        """One file per part: ``--out`` itself when unsplit, else ``<out>/<part><suffix>``."""
        if not self.split:
            return self.out / f"annotations{suffix}" if self.out.is_dir() else self.out
        return self.out / f"{part}{suffix}"


@dataclass
class Written:
    """What a writer wrote, to print and to check against :attr:`ExportPlan.labels`."""

    paths: list[Path] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # said on stderr
    lines: list[str] = field(default_factory=list)  # printed under the summary


@dataclass(frozen=True)
class ReadOptions:
    """What ``import`` lets people say about input that does not say it itself."""

    status: Status | None = None  # forced status; else the file's, else in_progress
    labels: dict[str, str] = field(default_factory=dict)  # rename labels (CoNLL's PER=PERSON)


class Format:
    """A training-data format. Subclasses set the class attributes and override what they do."""

    name: ClassVar[str]
    help: ClassVar[str]
    suffix: ClassVar[str] = ""  # the file a part is written to; "" when a folder is written
    default_split: ClassVar[float] = 0.0
    needs_dev: ClassVar[bool] = False
    marks_unknown: ClassVar[bool] = True  # can say "not annotated yet" apart from "no entity"
    writes: ClassVar[bool] = True
    reads: ClassVar[bool] = True

    @property
    def folder(self) -> bool:
        return not self.suffix

    def expected(self, plan: ExportPlan) -> Counter[str]:
        """Labels as this format must write them (brat renames spaces, say)."""
        return plan.labels

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> Written:
        raise NotImplementedError(f"{self.name} cannot be written")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:
        raise NotImplementedError(f"{self.name} cannot be read")


def write_parts(
    plan: ExportPlan,
    suffix: str,
    render: Callable[[tuple[Item, ...], Counter[str]], Iterable[str]],
) -> Written:
    """Line formats: one file per part, written atomically as ``render`` yields its text
    (counting the labels it wrote into the counter), so an export never holds a whole file."""
    from tui.core.fsutil import atomic_write_chunks

    written = Written()
    for part, items in plan.parts.items():
        path = plan.path_for(part, suffix)
        labels: Counter[str] = Counter()
        atomic_write_chunks(path, (chunk.encode("utf-8") for chunk in render(items, labels)))
        written.paths.append(path)
        written.labels.update(labels)
    return written


def jsonl_line(record: object) -> str:
    """One JSON object a line; non-ASCII kept readable, every line break inside escaped."""
    import json

    return json.dumps(record, ensure_ascii=False) + "\n"


REGISTRY: dict[str, Format] = {}
F = TypeVar("F", bound=type[Format])


def register(cls: F) -> F:
    """Class decorator: one instance of each format, found by its name."""
    REGISTRY[cls.name] = cls()
    return cls


def writers() -> tuple[str, ...]:
    return tuple(name for name, f in REGISTRY.items() if f.writes)


def readers() -> tuple[str, ...]:
    return tuple(name for name, f in REGISTRY.items() if f.reads)
