"""An assessment's results as OSCAL assessment-results (JSON): docs/oscal.md.

One result: a finding per scored question that applies (its target is the question's
control in the questionnaire's OSCAL catalog, satisfied at full marks), an observation
per answer (what was answered, the comment, the evidence note and the evidence files
with their SHA-256), the overall and section scores and bands as props. The evidence
files are back-matter resources; so is the questionnaire, which ``import-ap`` points at:
a self-assessment has no OSCAL assessment plan. Everything comes from the report
(``presentation.build_report``), so the numbers are those of the results page and the
PDF. Plain dictionaries, as in ``questionnaires.oscal``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from compliance.core.numbers import rounded, shown
from compliance.questionnaires.oscal import (
    LANGUAGES,
    MEDIA_TYPE,
    NS,
    OSCAL_VERSION,
    control_id,
    derived_uuid,
    digest_of,
    figure,
    group_id,
    one_line,
    optional,
    prop,
    props,
    to_bytes,
    with_content_uuid,
)

from .presentation import QuestionRow, Report, build_report

__all__ = ["MEDIA_TYPE", "assessment_results", "results_document", "to_json"]


def assessment_results(assessment, language: str = "en") -> dict:
    """The OSCAL assessment-results of ``assessment`` in ``language`` (``en`` or
    ``zh-hans``), as a dictionary. The caller applies the access rule."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    with translation.override(language):
        return results_document(build_report(assessment))


def to_json(report: Report) -> bytes:
    """The download (``export.oscal.json``), in the language the report was built in."""
    return to_bytes(results_document(report))


def _number(value: float | None, places: int) -> str:
    """A figure rounded as every output rounds it ("" for none)."""
    number = rounded(value, places)
    return "" if number is None else figure(number)


def results_document(report: Report) -> dict:
    """``report`` as OSCAL assessment-results, in the active language (the report's)."""
    assessment = report.assessment
    version = assessment.version
    language = "zh-hans" if (translation.get_language() or "en").startswith("zh") else "en"
    party = str(assessment.organisation.uuid)
    plan = derived_uuid(assessment.uuid, "assessment-plan")
    gaps = {gap.question.code: gap for gap in report.gaps}
    critical = {finding.question.code for finding in report.findings}

    observations, findings, not_asked, moments = [], [], [], []
    for section in report.sections:
        for row in section.questions:
            if row.hidden:
                # Not asked (a show-if condition is not met): not reviewed at all.
                not_asked.append({"control-id": control_id(row.question.code)})
                continue
            observation = None
            if row.answer is not None:
                observation = _observation(row, assessment, party)
                observations.append(observation)
                moments.append(row.answer.updated_at)
            if row.maximum:
                findings.append(_finding(row, assessment, observation, gaps, critical))

    moments += [assessment.created_at, assessment.last_changed_at, assessment.submitted_at]
    moments += [event.at for event in report.events]
    last_modified = max(moment for moment in moments if moment is not None)
    questionnaire = version.questionnaire
    body = {
        "metadata": {
            "title": one_line(_("Results") + pgettext("after a label", ": ") + assessment.title),
            **optional(published=assessment.submitted_at and assessment.submitted_at.isoformat()),
            "last-modified": last_modified.isoformat(),
            "version": f"{assessment.status} {last_modified.isoformat()}",
            "oscal-version": OSCAL_VERSION,
            "props": props(
                prop("assessment", assessment.uuid),
                prop("status", assessment.status),
                prop("questionnaire", questionnaire.slug),
                prop("version-number", version.number),
                prop("content-sha256", digest_of(version)),
                prop("language", language),
                prop(
                    "period-start", assessment.period_start and assessment.period_start.isoformat()
                ),
                prop("period-end", assessment.period_end and assessment.period_end.isoformat()),
                prop("evidence-as-of", report.evidence_day and report.evidence_day.isoformat()),
            ),
            "parties": [
                {
                    "uuid": party,
                    "type": "organization",
                    "name": one_line(assessment.organisation.name),
                }
            ],
        },
        "import-ap": {"href": f"#{plan}"},
        "results": [
            {
                "uuid": derived_uuid(assessment.uuid, "result"),
                "title": one_line(assessment.title),
                "description": _(
                    "Self-assessment of %(organisation)s against %(questionnaire)s, "
                    "version %(number)s."
                )
                % {
                    "organisation": assessment.organisation.name,
                    "questionnaire": questionnaire.title,
                    "number": version.number,
                },
                "start": assessment.created_at.isoformat(),
                **optional(end=assessment.submitted_at and assessment.submitted_at.isoformat()),
                "props": _score_props(report),
                "reviewed-controls": {
                    "control-selections": [
                        {"include-all": {}, **optional(exclude_controls=not_asked)}
                    ]
                },
                **optional(
                    attestations=_attestations(report),
                    assessment_log=_log(report),
                    observations=observations,
                    findings=findings,
                ),
            }
        ],
        "back-matter": {"resources": [_plan(report, plan), *_evidence_resources(report)]},
    }
    return with_content_uuid("assessment-results", body)


def _score_props(report: Report) -> list[dict]:
    """The overall score and band, then each section's, related by the section's
    catalog group id (``group``)."""
    out = props(
        prop("score", _number(report.score, 1)),
        prop("band", report.band.code if report.band else ""),
        prop("band-label", report.band.label if report.band else ""),
        prop("band-capped", report.band_capped),
        prop("critical-findings", len(report.findings)),
        prop("answered", report.answered),
        prop("applicable", report.applicable),
    )
    for section in report.sections:
        group = group_id(section.section.code)
        out += props(
            prop("section-shown", section.shown, group=group),
            prop("section-weight", _number(section.weight, 2), group=group),
            prop("section-score", _number(section.score, 1), group=group),
            prop("section-band", section.band.code if section.band else "", group=group),
            prop("section-band-label", section.band.label if section.band else "", group=group),
        )
    return out


def _observation(row: QuestionRow, assessment, party: str) -> dict:
    """What the organisation answered: its own statement, hence INTERVIEW."""
    answer = row.answer
    code = row.question.code
    evidence = [
        {
            "href": f"#{stored.uuid}",
            "description": link.item.title,
            "props": props(prop("file-name", stored.name), prop("sha256", stored.sha256)),
        }
        for link in row.evidence
        for stored in link.item.files.all()
    ]
    if answer.evidence:
        evidence.append({"description": answer.evidence})
    return {
        "uuid": derived_uuid(assessment.uuid, "observation", code),
        "title": one_line(row.question.text) or code,
        "description": row.answer_text or _("Not answered"),
        "props": props(
            prop("question", code),
            prop("status", row.status),
            *(prop("choice", choice) for choice in answer.choice_codes or []),
            prop("number", figure(answer.value_number))
            if answer.value_number is not None
            else None,
            prop("date", answer.value_date and answer.value_date.isoformat()),
            prop("not-applicable", True) if answer.not_applicable else None,
            prop("evidence-expired", True) if row.evidence_expired else None,
        ),
        "methods": ["INTERVIEW"],
        "types": ["control-objective"],
        "origins": [{"actors": [{"type": "party", "actor-uuid": party}]}],
        **optional(relevant_evidence=evidence),
        "collected": answer.updated_at.isoformat(),
        **optional(remarks=answer.comment),
    }


def _finding(
    row: QuestionRow, assessment, observation: dict | None, gaps: dict, critical: set
) -> dict:
    """A scored question's outcome: satisfied at full marks; any gap is not satisfied."""
    code = row.question.code
    gap = gaps.get(code)
    if gap is None:
        state, reason = "satisfied", "pass"
    else:
        state, reason = "not-satisfied", ("other" if row.unanswered else "fail")
    return {
        "uuid": derived_uuid(assessment.uuid, "finding", code),
        "title": one_line(row.question.text) or code,
        "description": _("%(points)s of %(maximum)s points")
        % {"points": shown(row.points, 2), "maximum": shown(row.maximum, 2)},
        "props": props(
            prop("question", code),
            prop("points", _number(row.points, 2)),
            prop("maximum", _number(row.maximum, 2)),
            prop("fraction", _number(row.fraction or 0, 4)),
            prop("critical", row.question.critical),
            prop("critical-finding", code in critical),
            prop("unanswered", True) if row.unanswered else None,
            prop("gap-rank", gap.rank) if gap else None,
            prop("shortfall", _number(gap.shortfall, 2)) if gap else None,
        ),
        "target": {
            "type": "objective-id",
            "target-id": control_id(code),
            "status": {"state": state, "reason": reason},
        },
        **optional(
            related_observations=[{"observation-uuid": observation["uuid"]}] if observation else []
        ),
        **optional(remarks=str(row.question.recommendation) if gap else ""),
    }


def _attestations(report: Report) -> list[dict]:
    """The approval's statement, with the SHA-256 of the record it signed."""
    signoff = report.signoff
    if signoff is None:
        return []
    return [
        {
            "parts": [
                {
                    "name": "approval",
                    "ns": NS,
                    "props": props(
                        prop("approved-at", signoff.approved_at.isoformat()),
                        prop("record-sha256", signoff.record_sha256),
                        prop("withdrawn", signoff.withdrawn),
                    ),
                    **optional(prose=signoff.statement),
                }
            ]
        }
    ]


def _log(report: Report) -> dict | None:
    """The assessment's history: created, submitted, reviewed, approved."""
    entries = [
        {
            "uuid": derived_uuid(report.assessment.uuid, "event", event.pk),
            "title": one_line(event.get_kind_display()),
            **optional(description=event.note),
            "start": event.at.isoformat(),
            **optional(
                props=props(
                    prop("event", event.kind),
                    prop("from-status", event.from_status),
                    prop("to-status", event.to_status),
                )
            ),
        }
        for event in report.events
    ]
    return {"entries": entries} if entries else None


def _plan(report: Report, identity: str) -> dict:
    """What ``import-ap`` points at: the questionnaire version that was answered, whose
    OSCAL catalog holds the controls the findings target."""
    version = report.assessment.version
    return {
        "uuid": identity,
        "title": one_line(
            f"{version.questionnaire.title} · " + _("version %(n)s") % {"n": version.number}
        ),
        "description": _(
            "A self-assessment has no OSCAL assessment plan. It answers this questionnaire "
            "version, which is exported as an OSCAL catalog: the findings target its "
            "controls."
        ),
        "props": props(
            prop("type", "questionnaire", ns=""),
            prop("questionnaire", version.questionnaire.slug),
            prop("version-number", version.number),
            prop("content-sha256", digest_of(version)),
        ),
    }


def _evidence_resources(report: Report) -> list[dict]:
    """Each evidence file the answers cite, once: its item's title and dates, and a link
    to its download with its SHA-256."""
    out = []
    for entry in report.evidence_register:
        item = entry.item
        for stored in item.files.all():
            out.append(
                {
                    "uuid": str(stored.uuid),
                    "title": one_line(stored.name) or str(stored.uuid),
                    "description": item.title,
                    "props": props(
                        prop("type", "evidence", ns=""),
                        prop("evidence-item", item.uuid),
                        prop(
                            "document-date", item.document_date and item.document_date.isoformat()
                        ),
                        prop("valid-until", item.valid_until and item.valid_until.isoformat()),
                        prop("expired", entry.expired),
                        prop("size", stored.size),
                    ),
                    "rlinks": [
                        {
                            "href": reverse("evidence_download", args=[stored.uuid]),
                            **optional(media_type=stored.content_type),
                            "hashes": [{"algorithm": "SHA-256", "value": stored.sha256}],
                        }
                    ],
                }
            )
    return out
