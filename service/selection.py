"""Which features a response reports (``features``: names or group names) and how many
(``top_k``), and the per-group summaries over them."""

from dataclasses import dataclass
from difflib import get_close_matches
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from core.manifest import ModelManifest


class SelectionError(ValueError):
    """A requested feature or group that the model does not have."""


@dataclass(frozen=True)
class ResultView:
    """The features a response reports, in model order, and ``top_k`` of them by |logfold|."""

    names: list[str]
    """Every feature of the model, in model order."""
    groups: list[str]
    """The group of every feature of the model."""
    selected: list[int]
    """Indices of the reported features, in model order."""
    top_k: int | None = None

    @cached_property
    def selected_groups(self) -> list[str]:
        """Groups with at least one reported feature, in model order."""
        return list(dict.fromkeys(self.groups[i] for i in self.selected))

    @cached_property
    def _members(self) -> dict[str, NDArray[np.intp]]:
        members: dict[str, list[int]] = {group: [] for group in self.selected_groups}
        for i in self.selected:
            members[self.groups[i]].append(i)
        return {group: np.array(indices, dtype=np.intp) for group, indices in members.items()}

    @cached_property
    def _selected(self) -> NDArray[np.intp]:
        return np.array(self.selected, dtype=np.intp)

    def members(self, group: str) -> NDArray[np.intp]:
        """Reported features of ``group`` (computed once per view: a view serves every variant
        of a response, and a model may have a thousand features)."""
        return self._members.get(group, self._selected[:0])

    def strongest(self, logfold: NDArray[np.floating]) -> int:
        """``ranked(logfold)[0]`` without sorting: the first reported feature of the largest
        |logfold| (NaN counted smallest, as the sort puts it last)."""
        magnitude = np.abs(logfold[self._selected])
        return int(self._selected[np.argmax(np.where(np.isnan(magnitude), -1.0, magnitude))])

    def ranked(self, logfold: NDArray[np.floating]) -> list[int]:
        """Reported features by |logfold|, largest first (ties in model order); ``top_k`` of
        them if set."""
        order = self._selected[np.argsort(-np.abs(logfold[self._selected]), kind="stable")]
        return list(order[: self.top_k].tolist())


def result_view(
    manifest: ModelManifest, features: list[str] | None = None, top_k: int | None = None
) -> ResultView:
    """The view for requested ``features`` (feature or group names; all when empty or None)."""
    names = manifest.feature_names
    groups = [feature.group for feature in manifest.features]
    if not features:
        return ResultView(names, groups, list(range(len(names))), top_k)
    chosen: set[int] = set()
    for requested in features:
        matches = [
            i for i, (n, g) in enumerate(zip(names, groups, strict=True)) if requested in (n, g)
        ]
        if not matches:
            hint = _did_you_mean(requested, names, groups)
            raise SelectionError(
                f"the model has no feature or group {requested!r}{hint}; its groups are "
                f"{', '.join(dict.fromkeys(groups))} (GET /models or `logoscore features` lists "
                "every feature)"
            )
        chosen.update(matches)
    return ResultView(names, groups, sorted(chosen), top_k)


def _did_you_mean(requested: str, names: list[str], groups: list[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest names (a typo, or a motif named without its
    ``motif_`` prefix), else nothing."""
    known = list(dict.fromkeys([*groups, *names]))
    lowered = {name.lower(): name for name in known}
    close = [lowered[m] for m in get_close_matches(requested.lower(), list(lowered), n=3)]
    close += [n for n in names if requested.lower() in n.lower() and n not in close][:3]
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(name) for name in close[:3]) + "?)"
