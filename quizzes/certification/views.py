"""Certification pages: the trainee's dashboard, certificates, public verification, revocation.

Verification takes a code (GET) or a pasted or uploaded signed credential (POST), which
quizzes/credentials/selectors.py checks.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.certification.codes import code_format, code_normalise
from quizzes.certification.pdf import CertificateDocument, certificate_pdf
from quizzes.certification.rules import VerificationStatus, verification_status
from quizzes.certification.selectors import (
    certificate_get_for_owner,
    certificate_get_for_revoker,
    certificate_verify,
    program_get_published,
    program_progress,
    trainee_dashboard,
)
from quizzes.certification.services import certificate_issue_if_complete, certificate_revoke
from quizzes.cohorts.selectors import trainee_cohort_notices
from quizzes.credentials.selectors import (
    CREDENTIAL_EMPTY,
    CREDENTIAL_TOO_LARGE,
    MAX_CREDENTIAL_BYTES,
    CredentialUnreadable,
    credential_exists,
    credential_verify,
)
from quizzes.models.certification import Certificate
from quizzes.observations.selectors import observations_awaiting_acknowledgement
from quizzes.spaced_review.selectors import review_due_count
from quizzes.updates.selectors import certificate_update_history, updates_open_for_user
from trainingsite.ratelimit import Limit, rate_limit_hit, rate_limited_response
from trainingsite.security import client_limit_key

# Verification is public, so it is rate-limited per client address to stop
# anyone enumerating codes (trainingsite/ratelimit.py; shared across workers
# when DJANGO_CACHE_URL points at Redis).
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 10 * 60
VERIFY_RATE_LIMITED = (
    "Too many verification requests from your network. Try again in a few minutes."
)
VERIFY_CODE_INVALID = (
    "That is not a certificate code. Codes have 20 letters and digits, "
    "for example 7KQ2-M9XD-4RTB-0HZW-PC3N."
)
VERIFY_NOT_FOUND = "No certificate has this code. Check it against the certificate and try again."
RENEWED = "Your renewed certificate has been issued."
CERTIFICATE_ISSUED = "Your certificate has been issued."
NOTHING_TO_ISSUE = "Some requirements are still open; your next steps are below."
REVOKED = "The certificate has been revoked."
REVOKED_NO_DOWNLOAD = "A revoked certificate cannot be downloaded."


VERIFY_RATE = Limit(name="certificates:verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW_SECONDS)


def _verification_refused(request) -> HttpResponse | None:
    """Count this request against the client's window; the 429 page once over the limit."""
    verdict = rate_limit_hit(VERIFY_RATE, client_limit_key(request))
    if verdict.allowed:
        return None
    return rate_limited_response(
        request, message=VERIFY_RATE_LIMITED, retry_after=verdict.retry_after
    )


@login_required
def dashboard(request):
    """The trainee's home: programs with progress and next step, certificates, recent attempts."""
    return render(
        request,
        "certificates/dashboard.html",
        {
            "dashboard": trainee_dashboard(user=request.user),
            # Invitations to cohorts, and an e-mail address still to confirm.
            "notices": trainee_cohort_notices(user=request.user),
            "observations_awaiting": observations_awaiting_acknowledgement(request.user),
            "review_due": review_due_count(user=request.user),
            "updates_open": updates_open_for_user(user=request.user),
        },
    )


@login_required
def program_detail(request, slug):
    """A program's requirements and what counts in the trainee's current cycle (also renewal)."""
    item = program_progress(user=request.user, program=program_get_published(slug=slug))
    return render(request, "certificates/program.html", {"item": item})


@login_required
@require_POST
def program_claim(request, slug):
    """Issue the certificate when everything is done (e.g. a renewal completed earlier)."""
    program_obj = program_get_published(slug=slug)
    certificate = certificate_issue_if_complete(user=request.user, program=program_obj)
    if certificate is None:
        messages.info(request, NOTHING_TO_ISSUE)
        return redirect("certificates:program", slug=program_obj.slug)
    messages.success(request, RENEWED if certificate.cycle > 1 else CERTIFICATE_ISSUED)
    return redirect(certificate)


def _verify_url(request, certificate: Certificate) -> str:
    return request.build_absolute_uri(certificate.verify_path())


@login_required
def certificate_detail(request, code):
    certificate = certificate_get_for_owner(user=request.user, code=code)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "verify_url": _verify_url(request, certificate),
            "has_credential": credential_exists(certificate=certificate),
            "updates": certificate_update_history(certificate=certificate),
            # The same answer as the public verification page and the credential.
            "expired": verification_status(
                expires_at=certificate.expires_at, revoked=False, now=timezone.now()
            )
            == VerificationStatus.EXPIRED,
        },
    )


@login_required
def certificate_download(request, code):
    certificate = certificate_get_for_owner(user=request.user, code=code)
    if certificate.is_revoked:
        raise Http404(REVOKED_NO_DOWNLOAD)
    document = CertificateDocument(
        holder_name=certificate.holder_name,
        program_name=certificate.program.name,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        code=certificate.display_code,
        verify_url=_verify_url(request, certificate),
        cpd_hours=certificate.cpd_hours,
        cpd_awarding_body=certificate.cpd_awarding_body,
        lessons_completed=certificate.lessons_completed,
        quiz_scores=certificate.quiz_scores,
        observations=certificate.observations,
        attestations=certificate.attestations,
    )
    response = HttpResponse(certificate_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.display_code}.pdf"'
    )
    return response


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=80,
        help_text="The 20-character code on the certificate; dashes and case do not matter.",
    )

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(VERIFY_CODE_INVALID)
        return code


CREDENTIAL_FILE_NOT_TEXT = (
    "That file is not a credential: a credential is UTF-8 text (.jwt or .json)."
)
CREDENTIAL_BOTH_GIVEN = "Paste a credential or choose a file, not both."


class CredentialVerifyForm(forms.Form):
    credential = forms.CharField(
        label="Paste a credential",
        required=False,
        strip=False,
        max_length=MAX_CREDENTIAL_BYTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The .jwt text, or the content of the .json file, from a certificate page.",
    )
    file = forms.FileField(
        label="Or choose a credential file",
        required=False,
        help_text="A .jwt or .json file of at most 64 KB.",
    )

    def clean_credential(self) -> str:
        # max_length counts characters; the limit is on bytes.
        text = self.cleaned_data["credential"]
        if len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
            raise ValidationError(CREDENTIAL_TOO_LARGE)
        return text

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_CREDENTIAL_BYTES:
            raise ValidationError(CREDENTIAL_TOO_LARGE)
        try:
            return upload.read(MAX_CREDENTIAL_BYTES + 1).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(CREDENTIAL_FILE_NOT_TEXT) from error

    def clean(self) -> dict:
        cleaned = super().clean()
        text, from_file = cleaned.get("credential", ""), cleaned.get("file", "")
        if self.errors:
            return cleaned
        if text.strip() and from_file.strip():
            raise ValidationError(CREDENTIAL_BOTH_GIVEN)
        if not (text.strip() or from_file.strip()):
            raise ValidationError(CREDENTIAL_EMPTY)
        cleaned["text"] = text if text.strip() else from_file
        return cleaned


@never_cache
@require_http_methods(["GET", "POST"])
def verify_form(request):
    """Type a code (GET); or paste or upload a signed credential (POST) and see its state."""
    if request.method == "POST":
        return _verify_credential(request)
    form = VerifyForm(request.GET or None)
    if request.GET:
        if refused := _verification_refused(request):
            return refused
        if form.is_valid():
            return redirect("certificates:verify", code=code_format(form.cleaned_data["code"]))
    return render(
        request,
        "certificates/verify_form.html",
        {"form": form, "credential_form": CredentialVerifyForm()},
        status=400 if form.is_bound else 200,
    )


def _verify_credential(request):
    if refused := _verification_refused(request):
        return refused
    credential_form = CredentialVerifyForm(request.POST, request.FILES)
    if credential_form.is_valid():
        try:
            result = credential_verify(text=credential_form.cleaned_data["text"])
        except CredentialUnreadable as error:
            credential_form.add_error(None, error.message)
        else:
            return render(request, "certificates/verify_credential.html", {"result": result})
    return render(
        request,
        "certificates/verify_form.html",
        {"form": VerifyForm(), "credential_form": credential_form},
        status=400,
    )


@never_cache
@require_GET
def verify(request, code):
    """Public: say whether a certificate is valid, expired or revoked, and nothing more."""
    if refused := _verification_refused(request):
        return refused
    verification = certificate_verify(code=code)
    if verification is None:
        return render(
            request,
            "certificates/verify_not_found.html",
            {"message": VERIFY_NOT_FOUND, "form": VerifyForm()},
            status=404,
        )
    return render(request, "certificates/verify.html", {"verification": verification})


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Recorded with the revocation; the public page shows only that it was revoked.",
    )


@login_required
def revoke(request, code):
    """Staff page: revoke a certificate with a reason (users with the permission only)."""
    certificate = certificate_get_for_revoker(user=request.user, code=code)
    # An empty POST is still a submission: bind it so that its errors show.
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, REVOKED)
            return redirect(
                reverse("certificates:verify", kwargs={"code": certificate.display_code})
            )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "certificates/revoke.html",
        {"certificate": certificate, "form": form},
        status=status,
    )
