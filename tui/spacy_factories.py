"""The ``spacy_factories`` entry point: spaCy imports this module before it builds any
pipeline, which registers the components of a model ``newsmark train`` saved."""

from tui.core.combined import make_hold, make_merge, register

register()

__all__ = ["make_hold", "make_merge"]
