"""Attestations in the hardening world: a statement required by a published program of its
own (not the world's program, so certification stays as it was), signed by the other
trainee only (written directly: no certificate is issued), and a statement whose only
program is a draft (its page is 404)."""

from django.utils import timezone

from quizzes.models import Attestation, AttestationStatement, Program


def build_attestations_world(*, other_trainee) -> dict:
    program = Program.objects.create(
        name="Protocol attestation", slug="protocol-attestation", status="published"
    )
    draft = Program.objects.create(name="Draft attestation", slug="draft-attestation")
    statement = AttestationStatement.objects.create(
        title="Bleeding protocol", slug="bleeding-protocol", text="I will follow the protocol."
    )
    statement.programs.add(program)
    draft_statement = AttestationStatement.objects.create(
        title="Draft protocol", slug="draft-protocol", text="Not yet asked of anyone."
    )
    draft_statement.programs.add(draft)
    attestation = Attestation.objects.create(
        user=other_trainee,
        statement=statement,
        version=statement.version,
        text=statement.text,
        typed_name="Otto Other",
        attested_at=timezone.now(),
        ip_address="192.0.2.10",
    )
    return {
        "statement": statement,
        "draft_statement": draft_statement,
        "attestation": attestation,
    }
