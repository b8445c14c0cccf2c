"""An organisation's history: the overall and section scores of each of its submitted
(or approved) assessments, oldest first, read from the results frozen at submission.

The history page and the full report's "Progress over time" both read ``history``, in
two queries whatever the number of assessments: the assessments (with their versions and
the labels of their overall bands), and the versions' sections. A section that a
version does not have, or that did not apply to the company's profile, is a gap in its
line (no score), never a zero. Where the questionnaire version changes from one
assessment to the next, the later point is flagged: the questions changed, so the scores
are not strictly comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from compliance.assessments.models import LOCKED, Assessment
from compliance.core.i18n import column_suffix
from compliance.organisations.models import Organisation
from compliance.questionnaires.models import ScoreBand, Section
from compliance.scoring import Result


@dataclass(frozen=True)
class SectionSeries:
    """A section that has a score in at least one assessment of the history."""

    code: str
    title: str  # from the latest version (in the history) that has the section


@dataclass(frozen=True)
class Point:
    """One submitted assessment."""

    uuid: UUID
    title: str
    submitted_at: datetime
    date: date  # the day it was submitted, in the site's time zone
    score: float | None  # 0 to 100
    band: str  # the overall band's label in the active language, or ""
    questionnaire: str  # the questionnaire's title in the active language
    version_number: int
    version_id: int
    #: Section scores by section code; a section absent from the version, not shown to
    #: the company's profile or without a score has no entry.
    sections: dict[str, float] = field(default_factory=dict)
    #: The questionnaire version differs from the previous point's.
    version_changed: bool = False


@dataclass(frozen=True)
class History:
    points: list[Point]
    sections: list[SectionSeries]

    @property
    def rows(self) -> list[tuple[Point, list[float | None]]]:
        """Each point with its section scores in the order of ``sections`` (None: a gap)."""
        return [
            (point, [point.sections.get(section.code) for section in self.sections])
            for point in self.points
        ]

    @property
    def cells(self) -> list[tuple[Point, list[tuple[SectionSeries, float | None]]]]:
        """Each point with each section and its score there (None: a gap), for a table."""
        return [
            (point, [(section, point.sections.get(section.code)) for section in self.sections])
            for point in self.points
        ]

    @property
    def questionnaires(self) -> list[str]:
        """The questionnaires' titles, once each, in the order they first appear."""
        return list(dict.fromkeys(point.questionnaire for point in self.points))

    @property
    def version_changes(self) -> list[Point]:
        """The points whose questionnaire version differs from the previous point's."""
        return [point for point in self.points if point.version_changed]


def submitted_assessments(organisation_id: int, until: datetime | None = None):
    """The organisation's assessments with a frozen result, oldest submission first;
    with ``until``, those submitted up to then (inclusive). Each carries the labels of its
    overall band (``band_en``, ``band_zh_hans``), read in the same query."""
    band = ScoreBand.objects.filter(
        version=OuterRef("version"), section__isnull=True, code=OuterRef("band_code")
    )
    assessments = Assessment.objects.filter(
        organisation_id=organisation_id,
        status__in=LOCKED,
        result__isnull=False,
        submitted_at__isnull=False,
    )
    if until is not None:
        assessments = assessments.filter(submitted_at__lte=until)
    return (
        assessments.select_related("version__questionnaire")
        .annotate(
            band_code=KT("result__band"),
            band_en=Subquery(band.values("label_en")[:1]),
            band_zh_hans=Subquery(band.values("label_zh_hans")[:1]),
        )
        .only(
            "uuid",
            "title",
            "submitted_at",
            "result",
            "version__id",
            "version__number",
            "version__questionnaire__title_en",
            "version__questionnaire__title_zh_hans",
        )
        .order_by("submitted_at", "pk")
    )


def history(organisation: Organisation, until: datetime | None = None) -> History:
    """The organisation's history (up to ``until``, when given), in the active language."""
    return _history(organisation.pk, until)


def _history(organisation_id: int, until: datetime | None) -> History:
    assessments = list(submitted_assessments(organisation_id, until))
    if not assessments:
        return History(points=[], sections=[])
    chinese = column_suffix() == "zh_hans"
    version_ids = {assessment.version_id for assessment in assessments}
    sections_of: dict[int, list[Section]] = {}
    for section in (
        Section.objects.filter(version_id__in=version_ids)
        .only("version_id", "order", "code", "title_en", "title_zh_hans")
        .order_by("order", "pk")
    ):
        sections_of.setdefault(section.version_id, []).append(section)

    points: list[Point] = []
    previous_version = None
    for assessment in assessments:
        result = Result.from_json(assessment.result)
        version = assessment.version
        points.append(
            Point(
                uuid=assessment.uuid,
                title=assessment.title,
                submitted_at=assessment.submitted_at,
                date=timezone.localdate(assessment.submitted_at),
                score=result.score,
                band=(chinese and assessment.band_zh_hans) or assessment.band_en or "",
                questionnaire=str(version.questionnaire.title),
                version_number=version.number,
                version_id=version.pk,
                sections={
                    s.code: s.score for s in result.sections if s.shown and s.score is not None
                },
                version_changed=previous_version is not None and version.pk != previous_version,
            )
        )
        previous_version = version.pk
    return History(points=points, sections=_series(points, sections_of))


def _series(points: list[Point], sections_of: dict[int, list[Section]]) -> list[SectionSeries]:
    """The sections with a score somewhere in the history: in the order of the latest
    version, then those that only earlier versions have; each titled as the latest version
    that has it titles it."""
    scored = {code for point in points for code in point.sections}
    series: dict[str, SectionSeries] = {}
    seen_versions: set[int] = set()
    for point in reversed(points):
        if point.version_id in seen_versions:
            continue
        seen_versions.add(point.version_id)
        for section in sections_of.get(point.version_id, []):
            if section.code in scored and section.code not in series:
                series[section.code] = SectionSeries(section.code, str(section.title))
    return list(series.values())


#: The report shows its history from this many assessments on.
REPORT_MINIMUM = 2


def report_history(assessment: Assessment) -> History | None:
    """The history a report of ``assessment`` shows: for a submitted one, the history up to
    its own submission (a later submission changes nothing in it); for a draft, the
    submitted assessments so far. None with fewer than two assessments in it."""
    until = assessment.submitted_at if not assessment.is_draft else None
    trail = _history(assessment.organisation_id, until)
    return trail if len(trail.points) >= REPORT_MINIMUM else None
