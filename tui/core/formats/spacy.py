"""spaCy's own training format: ``train.spacy`` and ``dev.spacy`` (DocBin) and a ``config.cfg``.

The config fine-tunes the named-entity recogniser of a base pipeline: its ``ner`` (and only
what ``ner`` listens to) is sourced from the base, its tokenizer and vocab are copied from
it, and the corpora are read with ``gold_preproc`` so spaCy trains on the exported tokens,
whose edges match every entity, instead of re-tokenizing and losing the ones inside a token.

An article longer than :data:`~tui.core.ner.PIECE_CHARS` is written as several Docs, cut at
paragraph (else sentence) breaks and never inside an entity, so training memory stays that of
ordinary articles; read back, each piece is an article of its own.

Reading takes any ``.spacy`` file (or a folder of them): each Doc is an article with its
exact text and ``doc.ents``. A Doc with no token left unknown (``ENT_IOB`` missing) was
written from an accepted article, so it imports as accepted; others as in_progress.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.formats.align import AlignmentError, align, set_entities
from tui.core.formats.base import ExportPlan, Format, Progress, ReadOptions, no_progress, register
from tui.core.formats.base import Written as PlanWritten
from tui.core.formats.excluded import cut_points, mark_missing
from tui.core.formats.records import (
    LineError,
    RawSpan,
    Record,
    check_text,
    entities_of,
    parsed_with_meta,
)
from tui.core.formats.select import Item, long_pieces
from tui.core.fsutil import atomic_write

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


TRAIN_FILE = "train.spacy"
DEV_FILE = "dev.spacy"
CONFIG_FILE = "config.cfg"


def source_name(base: str) -> str:
    """What the config's ``source`` should say: a package name, or an absolute folder."""
    path = Path(base)
    return str(path.resolve()) if path.is_dir() else base


@dataclass(frozen=True)
class Settings:
    """The training knobs ``newsmark train`` sets (the export writes spaCy's usual ones)."""

    dropout: float = 0.1
    patience: int = 1600
    learn_rate: float = 0.001
    batch_start: int = 100  # words per batch, compounding up to batch_stop
    batch_stop: int = 1000


@dataclass
class Written:
    """What an export wrote, to print and to check against the TOML."""

    docs: Counter[str] = field(default_factory=Counter)  # per part: train / dev
    labels: Counter[str] = field(default_factory=Counter)
    split_tokens: int = 0
    files: list[Path] = field(default_factory=list)

    @property
    def entities(self) -> int:
        return sum(self.labels.values())


def to_doc(nlp: Language, item: Item) -> tuple[Doc, int]:
    """The article as a reference Doc with its entities, and how many tokens were split."""
    aligned = align(nlp, item.text, cut_points(item))
    set_entities(aligned.doc, item.entities, complete=item.complete)
    mark_missing(aligned.doc, item.excluded)  # not article text: unknown, never O
    if len(aligned.doc.ents) != len(item.entities):
        raise AlignmentError(f"{item.id}: {len(item.entities)} entities became {aligned.doc.ents}")
    return aligned.doc, aligned.split_tokens


def docbin_bytes(
    nlp: Language,
    items: Sequence[Item],
    written: Written,
    part: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    from spacy.tokens import DocBin

    docbin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for whole in items:
        for _, item in long_pieces(whole):
            doc, split = to_doc(nlp, item)
            docbin.add(doc)
            written.docs[part] += 1
            written.labels.update(e.label_ for e in doc.ents)
            written.split_tokens += split
        if progress is not None:
            progress(1)
    data: bytes = docbin.to_bytes()
    return data


def ner_pipes(nlp: Language) -> list[str]:
    """The components to source: those writing entities and what they listen to, but not
    the base recogniser a trained model keeps beside its own (training adds it again)."""
    from tui.core import combined
    from tui.core.ner import ner_components

    return [
        name
        for name in ner_components(nlp)
        if name != combined.BASE and nlp.get_pipe_meta(name).factory not in combined.FACTORIES
    ]


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def config_text(
    *,
    base: str,
    nlp: Language,
    train: Path,
    dev: Path,
    max_epochs: int = 10,
    max_steps: int = 0,
    eval_frequency: int = 200,
    seed: int = 0,
    settings: Settings | None = None,
) -> str:
    """A complete training config; spaCy fills in nothing surprising."""
    s = settings or Settings()
    pipes = ner_pipes(nlp)
    tokenizer: dict[str, Any] = dict(nlp.config["nlp"]["tokenizer"])
    tokenizer_lines = "\n".join(f"{key} = {json.dumps(value)}" for key, value in tokenizer.items())
    components = "\n".join(f"[components.{name}]\nsource = {_q(base)}\n" for name in pipes)
    vectors = _q(base) if len(nlp.vocab.vectors) else "null"
    return f"""\
# Fine-tunes the entity recogniser of {base} on annotations exported by newsmark.
#   python -m spacy debug data config.cfg
#   python -m spacy train config.cfg --output model
# Paths are absolute; move the folder and pass --paths.train / --paths.dev instead.

[paths]
train = {_q(str(train))}
dev = {_q(str(dev))}
vectors = {vectors}
init_tok2vec = null

[system]
gpu_allocator = null
seed = {seed}

[nlp]
lang = {_q(nlp.lang or "en")}
pipeline = {json.dumps(pipes)}
disabled = []
before_creation = null
after_creation = null
after_pipeline_creation = null
batch_size = 256

[nlp.tokenizer]
{tokenizer_lines}

[nlp.vectors]
@vectors = "spacy.Vectors.v1"

[components]

{components}
[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
gold_preproc = true
max_length = 0
limit = 0
augmenter = null

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
gold_preproc = true
max_length = 0
limit = 0
augmenter = null

[training]
train_corpus = "corpora.train"
dev_corpus = "corpora.dev"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = {s.dropout}
accumulate_gradient = 1
patience = {s.patience}
max_epochs = {max_epochs}
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = {s.batch_start}
stop = {s.batch_stop}
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
# thinc starts parameter averages at zero, which would shrink the sourced weights.
use_averages = false
eps = 0.00000001
learn_rate = {s.learn_rate}

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
ents_per_type = null

[pretraining]

[initialize]
vectors = ${{paths.vectors}}
init_tok2vec = ${{paths.init_tok2vec}}
vocab_data = null
lookups = null
after_init = null

[initialize.before_init]
@callbacks = "spacy.copy_from_base_model.v1"
tokenizer = {_q(base)}
vocab = {_q(base)}

[initialize.components]

[initialize.tokenizer]
"""


def eval_frequency_for(n_train: int) -> int:
    """About one evaluation per epoch on small data (so ``model-best`` exists), at most 200."""
    return max(1, min(200, n_train))


def write(
    out: Path,
    train: Sequence[Item],
    dev: Sequence[Item] | None,
    *,
    nlp: Language,
    base: str,
    max_epochs: int = 10,
    max_steps: int = 0,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    settings: Settings | None = None,
    eval_frequency: int | None = None,
) -> Written:
    """Write the two DocBins and the config into ``out``; each file atomically.

    ``dev=None`` reuses the training docs as dev (too few articles to hold any out), and
    counts them once, so the printed counts still equal the TOML.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = Written()
    train_path, dev_path, config_path = out / TRAIN_FILE, out / DEV_FILE, out / CONFIG_FILE
    train_bytes = docbin_bytes(nlp, train, written, "train", progress)
    atomic_write(train_path, train_bytes)
    if dev is None:
        atomic_write(dev_path, train_bytes)
    else:
        atomic_write(dev_path, docbin_bytes(nlp, dev, written, "dev", progress))
    config = config_text(
        base=base,
        nlp=nlp,
        train=train_path.resolve(),
        dev=dev_path.resolve(),
        max_epochs=max_epochs,
        max_steps=max_steps,
        eval_frequency=eval_frequency or eval_frequency_for(len(train)),
        seed=seed,
        settings=settings,
    )
    atomic_write(config_path, config.encode("utf-8"))
    written.files += [train_path, dev_path, config_path]
    return written


def read_docbin(path: Path, data: bytes, options: ReadOptions) -> Iterator[Record]:
    """Each Doc of a DocBin as a record; a DocBin spaCy cannot read is one refused record."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("xx").vocab
    try:
        docs = list(DocBin().from_bytes(data).get_docs(vocab))
    except Exception as exc:  # spaCy raises ValueError, KeyError or srsly's errors
        yield Record(str(path), refused=f"is not a spaCy DocBin ({type(exc).__name__}: {exc})")
        return
    for number, doc in enumerate(docs, start=1):
        where = f"{path}: doc {number}"
        try:
            text = check_text(doc.text, "the Doc's text")
            raw = [
                RawSpan(e.start_char, e.end_char, e.label_, where=f"ents[{i}]")
                for i, e in enumerate(doc.ents)
            ]
            entities, trimmed = entities_of(text, raw, options.labels)
        except LineError as exc:
            yield Record(where, refused=str(exc))
            continue
        known = all(t.ent_iob_ for t in doc)
        status = options.status or ("accepted" if known else "in_progress")
        yield Record(where, parsed_with_meta(text, entities, status, {}, trimmed))


@register
class Spacy(Format):
    """spaCy's DocBin and a training config; the one format ``train`` writes too."""

    name = "spacy"
    help = "spaCy DocBin (train.spacy, dev.spacy) and config.cfg"
    default_split = 0.2
    needs_dev = True

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> PlanWritten:
        from tui.core import ner

        base = ner.resolve_model(plan.model)
        pipeline = ner.load(base)
        train = plan.parts["train"]
        dev = None if plan.dev_is_train else plan.parts["dev"]
        written = write(
            plan.out,
            train,
            dev,
            nlp=pipeline.nlp,
            base=source_name(base),
            seed=plan.seed,
            progress=progress,
        )
        result = PlanWritten(paths=written.files, labels=written.labels)
        if plan.dev_is_train:
            result.notes.append(
                "too few articles for a dev split (spaCy needs one); dev.spacy holds the "
                "training articles too."
            )
        result.lines.append(
            f"{written.split_tokens} token(s) split at entity edges, so every entity keeps its "
            "exact characters"
        )
        result.lines.append(f"next: python -m spacy train {plan.out / CONFIG_FILE} --output MODEL")
        return result

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:

        files = sorted(path.glob("*.spacy")) if path.is_dir() else [path]
        if not files:
            yield Record(str(path), refused="holds no .spacy file")
        for file in files:
            yield from read_docbin(file, file.read_bytes(), options)
