"""Mentors as numpy arrays, scored against many mentees at once: suggestions and cohort runs.

`MentorPool` encodes the mentors once (languages and weekly hours as bitsets, competencies as a
dense matrix over the modules seen); `encode` does the same for mentees, and `pairs` scores a block
of mentees against every mentor. Each criterion's points come from tables filled by the functions
of `criteria`, so a score here is the same integer of micro-points as `score_pair`'s.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from mentoring.domain.matching.bitsets import Bitsets, any_common_bit, common_bits, pack_bits
from mentoring.domain.matching.criteria import (
    GOAL_UNIT,
    PREFERENCE_STEPS,
    WORKING_DAY_MINUTES,
    free_places,
    preference_steps,
    score_pair,
    share,
    working_overlap_minutes,
)
from mentoring.domain.matching.errors import DuplicateCandidate
from mentoring.domain.matching.model import (
    HOURS_PER_WEEK,
    MAX_LEVEL,
    MICRO,
    Criterion,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    ScoredMentor,
)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Mask = NDArray[np.bool_]
Points = NDArray[np.int32]  # micro-points

BLOCK_PAIRS = 1 << 20  # pairs scored at once: 4 to 8 MB per array of a block
C = TypeVar("C", MentorCandidate, MenteeCandidate)
INELIGIBLE = -1  # the score of a pair that breaks a hard constraint, in a `ScoreTable`
NO_DEPARTMENT = -1
OTHER_DEPARTMENT = -2  # a mentee's department that no mentor of the pool belongs to


def _vocabulary(values: Iterable[str]) -> dict[str, int]:
    return {value: index for index, value in enumerate(sorted(set(values)))}


@dataclass(frozen=True, slots=True)
class MenteeBatch:
    """Mentees encoded against one pool's vocabularies, sorted by id.

    `excluded` and `ranked` are sparse: the mentors of mentee i are `cols[ptr[i]:ptr[i + 1]]`.
    A mentee's goal points are `goal_points[goal_base[i] + units]`, units being the 1/60ths of
    goal coverage summed over its goals.
    """

    mentees: tuple[MenteeCandidate, ...]
    languages: Bitsets
    availability: Bitsets
    utc_offsets: Ints
    goal_steps: NDArray[np.float32]
    goal_base: Ints
    goal_points: Points
    departments: Ints
    excluded_ptr: Ints
    excluded_cols: Ints
    ranked_ptr: Ints
    ranked_cols: Ints
    ranked_rank: Ints

    def __len__(self) -> int:
        return len(self.mentees)


@dataclass(frozen=True, slots=True)
class PairBlock:
    """Mentees [start, stop) of a batch against every mentor of the pool.

    `score` (micro-points) is only meaningful where `eligible`; `shares_language` and
    `personally_excluded` say why a pair is not, for the reasons given to unmatched mentees.
    """

    start: int
    shares_language: Mask
    personally_excluded: Mask
    eligible: Mask
    score: Points

    @property
    def stop(self) -> int:
        return self.start + int(self.score.shape[0])


@dataclass(frozen=True, slots=True)
class ScoreTable:
    """Every pair of a batch with a pool: micro-points, INELIGIBLE where forbidden (4 bytes a pair).

    Per mentee: whether some mentor shares a language, and whether one of those is not excluded
    personally (oneself, a reporting line, declined or ended before).
    """

    scores: Points
    shares_language: Mask
    compatible: Mask


def row_blocks(n_rows: int, n_columns: int) -> Iterator[slice]:
    """Consecutive row ranges of about BLOCK_PAIRS cells each."""
    step = max(1, BLOCK_PAIRS // max(1, n_columns))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


class MentorPool:
    """The mentors of a program, encoded once for fast, exact, vectorised scoring."""

    def __init__(self, mentors: Iterable[MentorCandidate], policy: MatchingPolicy) -> None:
        ordered = _by_id(mentors, "mentor")
        self.policy = policy
        self.mentors = ordered
        self.index = {m.id: j for j, m in enumerate(ordered)}
        self._worth = dict(policy.max_points())
        self._languages = _vocabulary(lang for m in ordered for lang in m.languages)
        self._modules = _vocabulary(module for m in ordered for module in m.competencies)
        self._departments = _vocabulary(m.department for m in ordered if m.department is not None)
        self._reports: dict[str, list[int]] = defaultdict(list)
        for j, mentor in enumerate(ordered):
            if mentor.manager_id is not None:
                self._reports[mentor.manager_id].append(j)

        self.language_bits = pack_bits(
            [[self._languages[lang] for lang in m.languages] for m in ordered], len(self._languages)
        )
        self.availability_bits = pack_bits([m.availability for m in ordered], HOURS_PER_WEEK)
        self.capacity = np.array([m.capacity for m in ordered], dtype=np.int64)
        self.open = self.capacity > 0
        self._department_code = np.array(
            [self._encode_department(m.department, NO_DEPARTMENT) for m in ordered],
            dtype=np.int64,
        )
        # level_steps[(module, k), j] = 1 when mentor j is above level k on the module; a goal of
        # target t puts 60/t on steps 0..t-1, so the product sums min(60, level * 60/t) by goal.
        self._level_steps = np.zeros((len(self._modules) * MAX_LEVEL, len(ordered)), np.float32)
        for j, mentor in enumerate(ordered):
            for module, level in mentor.competencies.items():
                first = self._modules[module] * MAX_LEVEL
                self._level_steps[first : first + level, j] = 1.0
        self._load_points = np.array(
            [
                share(free_places(m), m.max_capacity, self._worth_of(Criterion.LOAD))
                for m in ordered
            ],
            dtype=np.int32,
        )
        self._mentor_offsets = [m.utc_offset_minutes for m in ordered]
        self._offset_rows: dict[int, Points] = {}
        hours = policy.min_common_hours
        self._availability_points = np.array(
            [share(k, hours, self._worth_of(Criterion.AVAILABILITY)) for k in range(hours + 1)],
            dtype=np.int32,
        )
        self._preference_points = np.array(
            [0]
            + [
                share(
                    preference_steps(rank), PREFERENCE_STEPS, self._worth_of(Criterion.PREFERENCE)
                )
                for rank in range(1, PREFERENCE_STEPS + 1)
            ],
            dtype=np.int32,
        )

    def __len__(self) -> int:
        return len(self.mentors)

    def _worth_of(self, criterion: Criterion) -> int:
        return self._worth.get(criterion, 0)

    def _encode_department(self, department: str | None, unknown: int) -> int:
        if department is None:
            return NO_DEPARTMENT
        return self._departments.get(department, unknown)

    def encode(self, mentees: Iterable[MenteeCandidate]) -> MenteeBatch:
        ordered = _by_id(mentees, "mentee")
        goal_steps = np.zeros((len(ordered), self._level_steps.shape[0]), dtype=np.float32)
        for i, mentee in enumerate(ordered):
            for module, target in mentee.goals.items():
                if module in self._modules:
                    first = self._modules[module] * MAX_LEVEL
                    goal_steps[i, first : first + target] = GOAL_UNIT // target
        most_goals = max((len(m.goals) for m in ordered), default=0)
        # goals -> points for each possible sum of units; no goal at all counts as fully covered
        tables = [[self._worth_of(Criterion.GOALS)]] + [
            [
                share(units, GOAL_UNIT * goals, self._worth_of(Criterion.GOALS))
                for units in range(GOAL_UNIT * goals + 1)
            ]
            for goals in range(1, most_goals + 1)
        ]
        starts = np.cumsum([0] + [len(t) for t in tables])
        excluded = [self._personal_exclusions(m) for m in ordered]
        ranked = [
            [
                (self.index[mentor_id], rank)
                for rank, mentor_id in enumerate(m.ranked_mentors, 1)
                if mentor_id in self.index
            ]
            for m in ordered
        ]
        return MenteeBatch(
            mentees=ordered,
            languages=pack_bits(
                [
                    [self._languages[g] for g in m.languages if g in self._languages]
                    for m in ordered
                ],
                len(self._languages),
            ),
            availability=pack_bits([m.availability for m in ordered], HOURS_PER_WEEK),
            utc_offsets=np.array([m.utc_offset_minutes for m in ordered], dtype=np.int64),
            goal_steps=goal_steps,
            goal_base=np.array([starts[len(m.goals)] for m in ordered], dtype=np.int64),
            goal_points=np.array([p for table in tables for p in table], dtype=np.int32),
            departments=np.array(
                [self._encode_department(m.department, OTHER_DEPARTMENT) for m in ordered],
                dtype=np.int64,
            ),
            excluded_ptr=_pointers(len(row) for row in excluded),
            excluded_cols=np.array([j for row in excluded for j in row], dtype=np.int64),
            ranked_ptr=_pointers(len(row) for row in ranked),
            ranked_cols=np.array([j for row in ranked for j, _ in row], dtype=np.int64),
            ranked_rank=np.array([rank for row in ranked for _, rank in row], dtype=np.int64),
        )

    def _personal_exclusions(self, mentee: MenteeCandidate) -> list[int]:
        """Mentors this mentee may never have: oneself, a reporting line, a past refusal."""
        ids = {mentee.id, *mentee.excluded_mentors}
        if mentee.manager_id is not None:
            ids.add(mentee.manager_id)
        found = {self.index[i] for i in ids if i in self.index}
        found.update(self._reports.get(mentee.id, ()))
        return sorted(found)

    def pairs(self, batch: MenteeBatch, start: int, stop: int) -> PairBlock:
        """Eligibility and score of mentees [start, stop) of `batch` with every mentor."""
        rows = slice(start, stop)
        shares_language = any_common_bit(batch.languages[rows], self.language_bits)
        personally_excluded = np.zeros_like(shares_language)
        first, last = batch.excluded_ptr[start], batch.excluded_ptr[stop]
        personally_excluded[
            _row_of(batch.excluded_ptr, start, stop) - start, batch.excluded_cols[first:last]
        ] = True
        eligible = shares_language & ~personally_excluded & self.open[None, :]

        # Points are integers, so the criteria can be added in any order.
        offsets, offset_code = np.unique(batch.utc_offsets[rows], return_inverse=True)
        score = np.vstack([self._timezone_and_load(int(offset)) for offset in offsets])[offset_code]
        if Criterion.GOALS in self._worth:
            # Sums of small integers, exact in float32. OpenBLAS may set the "invalid" flag
            # without cause (numpy issue 24067); a real NaN would fail the table lookup below.
            with np.errstate(invalid="ignore"):
                product = batch.goal_steps[rows] @ self._level_steps
            units = product.astype(np.int64)
            score += batch.goal_points[batch.goal_base[rows, None] + units]
        if Criterion.AVAILABILITY in self._worth:
            common = common_bits(batch.availability[rows], self.availability_bits)
            np.minimum(common, min(HOURS_PER_WEEK, self.policy.min_common_hours), out=common)
            score += self._availability_points[common]
        if Criterion.DEPARTMENT in self._worth:
            fits = self._departments_fit(batch.departments[rows])
            score += np.where(fits, np.int32(self._worth[Criterion.DEPARTMENT]), np.int32(0))
        if Criterion.PREFERENCE in self._worth:
            first, last = batch.ranked_ptr[start], batch.ranked_ptr[stop]
            score[
                _row_of(batch.ranked_ptr, start, stop) - start, batch.ranked_cols[first:last]
            ] += self._preference_points[batch.ranked_rank[first:last]]
        return PairBlock(start, shares_language, personally_excluded, eligible, score)

    def blocks(self, batch: MenteeBatch) -> Iterator[PairBlock]:
        """`pairs` for the whole batch, a block of mentees at a time."""
        for rows in row_blocks(len(batch), len(self)):
            yield self.pairs(batch, rows.start, rows.stop)

    def table(self, batch: MenteeBatch) -> ScoreTable:
        """Every pair of the batch, scored block by block into one int32 table."""
        n = len(batch)
        table = ScoreTable(
            np.full((n, len(self)), INELIGIBLE, dtype=np.int32),
            np.zeros(n, dtype=np.bool_),
            np.zeros(n, dtype=np.bool_),
        )
        for block in self.blocks(batch):
            rows = slice(block.start, block.stop)
            table.scores[rows] = np.where(block.eligible, block.score, INELIGIBLE)
            table.shares_language[rows] = block.shares_language.any(axis=1)
            compatible = block.shares_language & ~block.personally_excluded
            table.compatible[rows] = compatible.any(axis=1)
        return table

    def _timezone_and_load(self, offset: int) -> Points:
        """Time-zone plus load points of a mentee at this UTC offset with every mentor."""
        if offset not in self._offset_rows:
            worth = self._worth_of(Criterion.TIMEZONE)
            by_offset = {
                other: share(working_overlap_minutes(offset, other), WORKING_DAY_MINUTES, worth)
                for other in set(self._mentor_offsets)
            }
            timezone = np.array([by_offset[o] for o in self._mentor_offsets], dtype=np.int32)
            self._offset_rows[offset] = timezone + self._load_points
        return self._offset_rows[offset]

    def _departments_fit(self, departments: Ints) -> Mask:
        mentors = self._department_code[None, :]
        mentees = departments[:, None]
        both_known = (mentees != NO_DEPARTMENT) & (mentors != NO_DEPARTMENT)
        same = mentees == mentors
        fits: Mask = both_known & (same if self.policy.department_preference == "same" else ~same)
        return fits

    def micropoints_for(self, mentee: MenteeCandidate) -> tuple[Mask, Points]:
        """Which mentors (in `mentors` order) may mentor `mentee`, and its micro-point scores."""
        block = self.pairs(self.encode([mentee]), 0, 1)
        return block.eligible[0], block.score[0]

    def scores_for(self, mentee: MenteeCandidate) -> Floats:
        """The score of `mentee` with every mentor, in `mentors` order; NaN where ineligible."""
        eligible, score = self.micropoints_for(mentee)
        return np.where(eligible, score / MICRO, np.nan)

    def suggest(self, mentee: MenteeCandidate, k: int = 5) -> list[ScoredMentor]:
        """The k best eligible mentors, by score descending, then by mentor id."""
        eligible, score = self.micropoints_for(mentee)
        found = np.flatnonzero(eligible)
        best = found[np.lexsort((found, -score[found].astype(np.int64)))[: max(k, 0)]]
        return [score_pair(mentee, self.mentors[j], self.policy) for j in best]


def _by_id(candidates: Iterable[C], role: str) -> tuple[C, ...]:
    ordered = tuple(sorted(candidates, key=lambda c: c.id))
    for previous, current in itertools.pairwise(ordered):
        if previous.id == current.id:
            raise DuplicateCandidate(role, current.id)
    return ordered


def _pointers(lengths: Iterable[int]) -> Ints:
    return np.concatenate([[0], np.cumsum(np.fromiter(lengths, dtype=np.int64))]).astype(np.int64)


def _row_of(ptr: Ints, start: int, stop: int) -> Ints:
    """The row of each sparse entry of rows [start, stop)."""
    return np.repeat(np.arange(start, stop, dtype=np.int64), np.diff(ptr[start : stop + 1]))
