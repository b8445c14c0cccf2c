"""The assessment as one JSON document: the JSON export (``export.json``) and the API's
assessment (``/api/v1/assessments/<id>/``) are this same document (docs/api.md, "The
assessment document").

Texts of the questionnaire are given in both languages, ``{"en": …, "zh-hans": …}`` (the
Chinese falls back to the English where the questionnaire has none); what people typed
is given as typed. Dates and times are ISO 8601, codes are the questionnaire's.
"""

from __future__ import annotations

import json

from django.utils import translation

from compliance.assessments.selectors import answer_text
from compliance.core.i18n import CONTENT_LANGUAGES, translated

from .presentation import Band, QuestionRow, Report

#: Changes whenever a key is removed or changes meaning (added keys do not change it).
SCHEMA = "icp-self-assessment/assessment/1"


def localized(obj, name: str) -> dict[str, str]:
    """``obj``'s bilingual field ``name`` (``name_en``, ``name_zh_hans``) in both languages."""
    return {language: translated(obj, name, suffix) for language, suffix in CONTENT_LANGUAGES}


def in_both(function, *args) -> dict[str, str]:
    """What ``function`` says in each language (for texts the app words itself)."""
    out = {}
    for language, _suffix in CONTENT_LANGUAGES:
        with translation.override(language):
            out[language] = str(function(*args))
    return out


def iso(value) -> str | None:
    return value.isoformat() if value else None


def band(value: Band | None) -> dict | None:
    if value is None:
        return None
    label = localized(value.source, "label") if value.source else {"en": value.label}
    return {"code": value.code, "label": label}


def facts(assessment) -> dict:
    """What identifies an assessment (also the audit pack's manifest)."""
    return {
        "id": str(assessment.uuid),
        "title": assessment.title,
        "organisation": assessment.organisation.name,
        "organisation_id": str(assessment.organisation.uuid),
        "questionnaire": assessment.version.questionnaire.slug,
        "version": assessment.version.number,
        "version_sha256": assessment.version.content_digest,
        "status": assessment.status,
        "review_required": assessment.review_required,
        "period_start": iso(assessment.period_start),
        "period_end": iso(assessment.period_end),
        "created_at": iso(assessment.created_at),
        "submitted_at": iso(assessment.submitted_at),
    }


def value_of(answer) -> dict | None:
    """An answer's value as stored: the choices' codes, a number, a date or a text."""
    if answer is None:
        return None
    return {
        "choices": list(answer.choice_codes or []),
        "number": float(answer.value_number) if answer.value_number is not None else None,
        "date": iso(answer.value_date),
        "text": answer.value_text,
    }


def question(row: QuestionRow) -> dict:
    answer = row.answer
    return {
        "number": row.number,
        "code": row.question.code,
        "question": localized(row.question, "text"),
        "status": str(row.status),
        "answer": in_both(answer_text, row.question, answer) if answer else None,
        "value": value_of(answer),
        "not_applicable": bool(answer and answer.not_applicable),
        "justification": answer.na_justification if answer else "",
        "comment": answer.comment if answer else "",
        "evidence": answer.evidence if answer else "",
        "evidence_files": [str(link.item.uuid) for link in row.evidence],
        "evidence_expired": row.evidence_expired,
        "points": row.points,
        "maximum": row.maximum,
        "answered_at": iso(answer.updated_at) if answer else None,
    }


def document(report: Report) -> dict:
    """The whole document of ``report``'s assessment."""
    return {
        "schema": SCHEMA,
        "assessment": facts(report.assessment),
        "score": report.score,
        "band": band(report.band),
        "band_capped_by_critical_findings": report.band_capped,
        "answered": report.answered,
        "applicable": report.applicable,
        "critical_findings": [
            {
                "code": row.question.code,
                "section": row.section.code,
                "question": localized(row.question, "text"),
                "fraction": row.fraction,
            }
            for row in report.findings
        ],
        "action_plan": [
            {
                "rank": row.rank,
                "code": row.question.code,
                "section": row.section.code,
                "critical": row.critical,
                "critical_finding": row.finding,
                "fraction": row.fraction,
                "shortfall": row.shortfall,
                "recommendation": localized(row.question, "recommendation"),
            }
            for row in report.gaps
        ],
        "sections": [
            {
                "number": section.number,
                "code": section.section.code,
                "title": localized(section.section, "title"),
                "shown": section.shown,
                "weight": section.weight,
                "score": section.score,
                "band": band(section.band),
                "questions": [question(row) for row in section.questions],
            }
            for section in report.sections
        ],
        "evidence_as_of": iso(report.evidence_day),
        "evidence_register": [
            {
                "id": str(entry.item.uuid),
                "title": entry.item.title,
                "document_date": iso(entry.item.document_date),
                "valid_until": iso(entry.item.valid_until),
                "expired": entry.expired,
                "supports": [row.question.code for row in entry.questions],
                "files": [
                    {
                        "name": stored.name,
                        "size": stored.size,
                        "type": stored.content_type,
                        "sha256": stored.sha256,
                    }
                    for stored in entry.item.files.all()
                ],
            }
            for entry in report.evidence_register
        ],
        "events": [
            {
                "event": event.kind,
                "from": event.from_status,
                "to": event.to_status,
                "at": iso(event.at),
                "by": event.user.email if event.user else None,
                "note": event.note,
            }
            for event in report.events
        ],
        "approval": approval_facts(report.assessment),
    }


def approval_facts(assessment) -> dict | None:
    """The current approval, with the record it signed (docs/approval.md: how to compute
    ``record_sha256`` again from ``record``) and the signed documents' SHA-256."""
    from compliance.assessments.workflow import current_approval

    approval = current_approval(assessment) if assessment.is_approved else None
    if approval is None:
        return None
    return {
        "approved_by": approval.approved_by.email if approval.approved_by else None,
        "approved_at": iso(approval.approved_at),
        "statement": approval.statement,
        "record_sha256": approval.record_sha256,
        "record": json.loads(approval.record),
        "signed_reports": [
            {"kind": kind, "language": language, "sha256": sha, "size": size}
            for kind, language, sha, size in approval.signed_reports.order_by(
                "kind", "language"
            ).values_list("kind", "language", "sha256", "size")
        ],
    }
