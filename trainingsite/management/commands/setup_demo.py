from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from lessons.services import lessons_load
from quizzes.attestations.content import SHIPPED_STATEMENTS, statements_load
from quizzes.authoring.content import quizzes_load
from quizzes.certification.content import SHIPPED_PROGRAMS, programs_load
from quizzes.certification.services import program_demo_assign
from quizzes.credentials.services import credentials_backfill
from quizzes.observations.content import SHIPPED_CHECKLISTS, checklists_load
from quizzes.observations.services import assessor_demo_assign
from quizzes.spaced_review.retention_days import retention_days_record
from quizzes.spaced_review.services import review_demo_seed
from quizzes.synthetic.demo_cohort import DEMO_COHORT_SLUG, demo_cohort_ensure
from trainingsite.demo import DEMO_ACCOUNTS, demo_accounts_ensure

DEMO_PROGRAM = "bleeding-management-foundation"


class Command(BaseCommand):
    help = "Create the demo accounts and load the shipped content; safe to run again."

    def handle(self, *args, **options):
        created = demo_accounts_ensure()
        self.stdout.write(f"Demo accounts created: {', '.join(created) or 'none (all present)'}")
        loaded = lessons_load(directory=settings.BASE_DIR / "fixtures" / "lessons")
        self.stdout.write(f"Topics: {loaded.topics}. Lessons: {loaded.lessons}.")
        quizzes = quizzes_load(directory=settings.BASE_DIR / "fixtures" / "quizzes")
        self.stdout.write(f"Questions: {quizzes.questions}. Quizzes: {quizzes.quizzes}.")
        programs = programs_load(path=SHIPPED_PROGRAMS)
        self.stdout.write(f"Programs: {len(programs.created)} created.")
        statements = statements_load(path=SHIPPED_STATEMENTS)
        self.stdout.write(f"Attestation statements: {len(statements.created)} created.")
        checklists = checklists_load(path=SHIPPED_CHECKLISTS)
        self.stdout.write(f"Practical checklists: {len(checklists.created)} created.")
        self.stdout.write(demo_cohort_ensure(program_slug=DEMO_PROGRAM))
        if assessor_demo_assign(username="assessor", cohort_slugs=[DEMO_COHORT_SLUG]):
            self.stdout.write("The demo assessor assesses the demo cohort.")
        # The demo cohort's history writes certificates in bulk: sign their credentials.
        signed = credentials_backfill()
        self.stdout.write(f"Credentials signed: {signed}.")
        if program_demo_assign(username="trainee", slug=DEMO_PROGRAM, due_in_days=30):
            self.stdout.write(
                "The demo trainee was assigned the foundation program, due in 30 days."
            )
        if reviews := review_demo_seed(username="trainee"):
            self.stdout.write(f"The demo trainee has {reviews} questions due for review.")
        # Today's retention figures, so the manager's overview shows retention at once.
        recorded = retention_days_record()
        noun = ngettext("trainee", "trainees", recorded)
        self.stdout.write(f"Retention figures recorded for {recorded} {noun}.")
        self.stdout.write("Demo logins (local demo only):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<9} / {settings.DEMO_PASSWORD}")
