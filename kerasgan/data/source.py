"""What every data source is: a :class:`Source` that describes itself and yields examples.

A source knows its :class:`DatasetInfo` without building a pipeline
(:meth:`Source.describe`), makes its data available (:meth:`Source.prepare`:
a no-op for local files; TFDS downloads or says why it cannot), and gives
its examples as an unbatched ``tf.data.Dataset`` of ``{"image", "label"}``
dicts (:meth:`Source.examples`). :func:`kerasgan.data.load` turns any source
into training batches; :func:`open_source` picks the source of a name.

Example:

>>> from kerasgan.data import open_source
>>> source = open_source("toy:ring8", num_examples=1000)
>>> info = source.describe()
>>> info.image_shape, info.num_classes, info.num_examples
((2,), 8, 1000)
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

__all__ = ["DatasetInfo", "Source", "DatasetUnavailableError", "BadDataError", "SOURCES", "open_source"]


class DatasetUnavailableError(ValueError):
    """The data cannot be had here (not downloaded, not prepared, no such files);
    the message says where it looked and the offline alternatives."""


class BadDataError(ValueError):
    """Files of a local source that cannot be used (not images, truncated,
    damaged, too large): the message names the first few with their reasons,
    gives the count and says what to do; ``problems`` holds every
    ``(file, reason)``.

    Example:

    >>> error = BadDataError([("a/x.png", "empty (0 bytes)")], "folder:a", total=10, hint="remove it.")
    >>> str(error)
    'kerasgan: 1 of 10 files of folder:a cannot be used: a/x.png: empty (0 bytes). remove it.'
    """

    #: how many files a message names
    SHOWN = 3

    def __init__(self, problems: list[tuple[str, str]], where: str, total: int | None = None, hint: str = ""):
        self.problems = list(problems)
        self.where = where
        count = f"{len(self.problems):,} of {total:,} files" if total is not None else (
            "1 file" if len(self.problems) == 1 else f"{len(self.problems):,} files")
        super().__init__(f"kerasgan: {count} of {where} cannot be used: {self.listing(self.problems)}. {hint}".strip())

    @classmethod
    def listing(cls, problems: list[tuple[str, str]]) -> str:
        """The first :attr:`SHOWN` problems as ``file: reason; ...`` and how many more."""
        shown = "; ".join(f"{file}: {reason}" for file, reason in problems[:cls.SHOWN])
        more = len(problems) - cls.SHOWN
        return shown + (f"; and {more:,} more" if more > 0 else "")


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What :func:`kerasgan.data.load` delivers: the shape of one sample and the labels.

    ``image_shape`` is after any resize; ``num_classes`` and ``class_names``
    are ``None`` for unlabelled data; ``num_examples`` is the size of the
    split when known (before batching).

    Example:

    >>> DatasetInfo("x", "toy", "train", (2,), None, None, 10).has_labels
    False
    """

    name: str
    source: str
    split: str
    image_shape: tuple
    num_classes: int | None
    class_names: tuple | None
    num_examples: int | None

    @property
    def has_labels(self) -> bool:
        return self.num_classes is not None


class Source:
    """A dataset by name: its description, its preparation, its examples.

    Subclasses set :attr:`prefix` (``"folder"`` for ``folder:PATH``; the
    TFDS source has none) and implement :meth:`describe` and
    :meth:`examples`. :attr:`training_defaults` are the settings that suit
    the data when a training run does not give them (``batch_size``, network
    and optimizer options); :meth:`reference_points` is data to draw generated
    2-D points over.
    """

    #: ``name`` prefix before the colon, e.g. ``"idx"`` for ``idx:PATH``.
    prefix: ClassVar[str | None] = None
    #: Training settings for data of this kind, used where a run gives none.
    training_defaults: ClassVar[dict] = {"batch_size": 64}

    def __init__(self, location: str, split: str | None = None):
        self.location = location
        self.split = split

    @property
    def name(self) -> str:
        return f"{self.prefix}:{self.location}" if self.prefix else self.location

    def describe(self) -> DatasetInfo:
        """The :class:`DatasetInfo`, without building a pipeline (cheap)."""
        raise NotImplementedError

    def prepare(self) -> DatasetInfo:
        """Make the data readable (download it where that applies) and describe it."""
        return self.describe()

    def examples(self, shuffle_files: bool = False, seed: int | None = None,
                 reshuffle_files: bool = True) -> Any:
        """An unbatched ``tf.data.Dataset`` of ``{"image": ..., "label": ...}`` dicts."""
        raise NotImplementedError

    def reference_points(self):
        """Data points drawn under a sample plot of 2-D data, or None."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} split={self.split}>"


#: The sources by prefix; each source module registers its own (:func:`register_source`), and importing
#: :mod:`kerasgan.data` imports the built-in ones. ``tfds`` also takes the names without a prefix.
SOURCES: dict[str, type[Source]] = {}
#: The prefix of the source that reads a name without one (``"mnist"``).
DEFAULT_SOURCE = "tfds"


def register_source(cls: type[Source], prefix: str | None = None) -> type[Source]:
    """Register a :class:`Source` subclass under its :attr:`~Source.prefix` (or ``prefix``).

    Example:

    >>> class Empty(Source):
    ...     prefix = "empty_example"
    >>> register_source(Empty) is Empty and "empty_example" in SOURCES
    True
    >>> del SOURCES["empty_example"]
    """
    SOURCES[prefix or cls.prefix] = cls
    return cls


def open_source(name: str, split: str | None = None, **options) -> Source:
    """The :class:`Source` of ``name``: ``folder:PATH``, ``idx:PATH``,
    ``toy:NAME`` or a TFDS dataset name. ``options`` go to the source that
    takes them (``image_size`` to folders, ``num_examples`` to toys,
    ``data_dir``/``download``/``download_config`` to TFDS); others are ignored.

    Example:

    >>> open_source("toy:grid25").describe().num_classes
    25
    """
    import inspect

    if not isinstance(name, str) or not name:
        raise ValueError(f"kerasgan: the dataset name must be a non-empty string, got {name!r}.")
    kind, colon, rest = name.partition(":")
    if colon and kind in SOURCES and rest:
        cls = SOURCES[kind]
    elif colon:
        raise ValueError(
            f"kerasgan: unknown dataset source {kind!r} in {name!r}; use "
            f"{', '.join(f'{p}:PATH' for p in SOURCES if p not in ('toy', DEFAULT_SOURCE))}, toy:ring8, toy:grid25, "
            "or a TFDS dataset name."
        )
    else:
        cls, rest = SOURCES[DEFAULT_SOURCE], name
    accepted = set(inspect.signature(cls.__init__).parameters)
    return cls(rest, split, **{k: v for k, v in options.items() if k in accepted})
