"""The frozen record an approval signs: what was approved, as canonical JSON.

The record holds the assessment, the organisation, the questionnaire version (with its
content digest), every answer, the result computed at submission, the evidence cited
(with each file's SHA-256), the review comments, the events up to the approval, and the
approval itself (who, when, with which statement). Its SHA-256 is printed on the sign-off
page of the signed reports, and the record is in the JSON export (``approval.record``),
so that an auditor can recompute the digest: docs/approval.md says how.

Canonical: ``json.dumps(record, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8; dates and times in ISO 8601 (UTC for times),
numbers of answers as decimal strings, lists in a fixed order.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from .evidence import links_by_question
from .models import Answer, Assessment, AssessmentEvent, ReviewComment

FORMAT = "compliance-approval-record"
FORMAT_VERSION = 1


def canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _day(value) -> str | None:
    return value.isoformat() if value else None


def person(user) -> dict | None:
    if user is None:
        return None
    return {"name": user.get_full_name(), "email": user.email}


def build(assessment: Assessment, *, approver, approved_at: datetime, statement: str) -> dict:
    """The record of ``assessment`` as it stands (submitted, its answers frozen), approved
    by ``approver`` at ``approved_at`` with ``statement``."""
    version = assessment.version
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "updated_by")
        .order_by("question__code")
    )
    links = links_by_question(assessment)
    codes = {answer.question_id: answer.question.code for answer in answers}
    evidence = []
    for question_id, question_links in links.items():
        for link in question_links:
            evidence.append(
                {
                    "question": codes.get(question_id) or link.question.code,
                    "item": str(link.item.uuid),
                    "title": link.item.title,
                    "valid_until": _day(link.item.valid_until),
                    "files": [
                        {"name": stored.name, "size": stored.size, "sha256": stored.sha256}
                        for stored in link.item.files.all()
                    ],
                }
            )
    evidence.sort(key=lambda entry: (entry["question"], entry["item"]))
    comments = ReviewComment.objects.filter(assessment=assessment).select_related(
        "question", "author", "resolved_by"
    )
    events = AssessmentEvent.objects.filter(assessment=assessment).select_related("user")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "assessment": {
            "id": str(assessment.uuid),
            "title": assessment.title,
            "period_start": _day(assessment.period_start),
            "period_end": _day(assessment.period_end),
            "created_at": _time(assessment.created_at),
            "submitted_at": _time(assessment.submitted_at),
        },
        "organisation": {
            "id": str(assessment.organisation.uuid),
            "name": assessment.organisation.name,
        },
        "questionnaire": {
            "slug": version.questionnaire.slug,
            "version": version.number,
            "content_sha256": version.content_digest,
        },
        "answers": [
            {
                "question": answer.question.code,
                "choices": list(answer.choice_codes),
                "number": None if answer.value_number is None else str(answer.value_number),
                "date": _day(answer.value_date),
                "text": answer.value_text,
                "not_applicable": answer.not_applicable,
                "justification": answer.na_justification,
                "comment": answer.comment,
                "evidence_note": answer.evidence,
                "revision": answer.revision,
                "changed_at": _time(answer.updated_at),
                "changed_by": person(answer.updated_by),
            }
            for answer in answers
        ],
        "result": assessment.result,
        "evidence": evidence,
        "review_comments": [
            {
                "question": comment.question.code if comment.question else None,
                "by": person(comment.author),
                "at": _time(comment.created_at),
                "comment": comment.body,
                "resolved_at": _time(comment.resolved_at),
                "resolved_by": person(comment.resolved_by),
            }
            for comment in comments
        ],
        "events": [
            {
                "event": event.kind,
                "from": event.from_status,
                "to": event.to_status,
                "at": _time(event.at),
                "by": person(event.user),
                "note": event.note,
            }
            for event in events
        ],
        "approval": {
            "by": person(approver),
            "at": _time(approved_at),
            "statement": statement,
        },
    }
