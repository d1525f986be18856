"""TFDS-style split names with slices, for the local sources: ``"test[:9000]"``.

Example:

>>> from kerasgan.data import splits
>>> name, part = splits.parse_split("train[80%:]")
>>> name, splits.resolve_slice(part, 60_000), splits.slice_text(splits.resolve_slice(part, 60_000))
('train', slice(48000, None, None), '48000:')
"""

from __future__ import annotations

import re

__all__ = ["parse_split", "resolve_slice", "slice_text"]


def parse_split(split: str) -> tuple[str, slice]:
    """``"test[:9000]"`` -> ``("test", slice(None, 9000))``; percents allowed.

    Percent bounds are kept as floats in [0, 1] in the slice and resolved by
    :func:`resolve_slice` against the split's size.

    Example:

    >>> parse_split("test[9000:]"), parse_split("train")
    (('test', slice(9000, None, None)), ('train', slice(None, None, None)))
    """
    match = re.fullmatch(r"\s*(\w+)\s*(?:\[\s*(-?\d+%?)?\s*:\s*(-?\d+%?)?\s*\])?\s*", split or "")
    if not match:
        raise ValueError(
            f"kerasgan: cannot read the split {split!r}; write a name with an optional slice, "
            "like 'train', 'test[:9000]' or 'train[80%:]'."
        )
    name, start, stop = match.groups()

    def bound(text):
        if text is None:
            return None
        if text.endswith("%"):
            return float(text[:-1]) / 100.0
        return int(text)

    return name, slice(bound(start), bound(stop))


def resolve_slice(part: slice, size: int) -> slice:
    """``part`` with its percent bounds turned into indices of a split of ``size``.

    Example:

    >>> resolve_slice(slice(None, 0.5), 10)
    slice(None, 5, None)
    """

    def resolve(b):
        if isinstance(b, float):
            return int(round(b * size))
        return b

    return slice(resolve(part.start), resolve(part.stop))


def slice_text(part: slice) -> str:
    """``"9000:"``: a slice as written between the brackets.

    Example:

    >>> slice_text(slice(None, 100))
    ':100'
    """
    return f"{'' if part.start is None else part.start}:{'' if part.stop is None else part.stop}"
