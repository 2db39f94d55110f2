"""The API's request and response shapes (pydantic, through ninja): the OpenAPI document's."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


class ProgramStatus(Schema):
    program: str
    program_name: str
    status: str = Field(
        description="not_started, in_progress, certified, expiring_soon, expired or overdue"
    )
    due_date: date | None
    percent: int
    done: int
    required: int
    awaiting_sign_off: bool
    last_activity_at: datetime | None
    certificate_code: str | None


class Trainee(Schema):
    id: int
    username: str
    name: str
    email: str
    cohorts: list[str]
    last_activity_at: datetime | None
    programs: list[ProgramStatus]


class TraineeList(Schema):
    items: list[Trainee]
    next: str | None = Field(description="The next page's address; null on the last page.")


class Certificate(Schema):
    code: str
    program: str
    program_name: str
    holder_id: int
    holder_name: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str = Field(description="valid, expired or revoked")
    superseded: bool
    cpd_hours: Decimal | None
    verification_url: str
    credential_url: str | None


class CertificateDetail(Certificate):
    credential_jwt: str | None = Field(description="The signed Open Badges credential (VC-JWT).")


class CertificateList(Schema):
    items: list[Certificate]
    next: str | None


class CohortProgram(Schema):
    program: str
    due_date: date | None


class Cohort(Schema):
    slug: str
    name: str
    member_count: int
    created_at: datetime
    programs: list[CohortProgram]


class CohortList(Schema):
    items: list[Cohort]
    next: str | None


class Member(Schema):
    id: int
    username: str
    name: str
    email: str
    joined_at: datetime


class MemberList(Schema):
    items: list[Member]
    next: str | None


class PendingInvitation(Schema):
    id: int
    email: str
    created_at: datetime
    expires_at: datetime


class InvitationList(Schema):
    items: list[PendingInvitation]
    next: str | None


class InvitationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)


class InvitationOut(Schema):
    outcome: str = Field(description="invited (an existing account), created or added")
    email: str


class Assignment(Schema):
    trainee: int = Field(description="The trainee's id.")
    program: str
    program_name: str
    due_date: date | None = Field(description="The effective due date: the earliest one set.")
    individual: bool = Field(description="Assigned to the trainee directly.")
    cohorts: list[str] = Field(description="The cohorts in your scope that assign it.")


class AssignmentList(Schema):
    items: list[Assignment]
    next: str | None


class AttemptSummary(Schema):
    id: int
    uuid: str
    quiz: str = Field(description="The quiz's slug.")
    quiz_title: str
    trainee: int
    kind: str = Field(description="graded or practice")
    state: str
    percent: float | None
    passed: bool | None
    started_at: datetime
    submitted_at: datetime | None


class AttemptList(Schema):
    items: list[AttemptSummary]
    next: str | None


class CpdEntry(Schema):
    id: int
    trainee: int
    title: str
    provider: str
    completed_on: date
    hours: Decimal
    status: str = Field(description="recorded, pending, approved or rejected")
    reviewed_at: datetime | None
    has_evidence: bool
    created_at: datetime


class CpdList(Schema):
    items: list[CpdEntry]
    next: str | None
