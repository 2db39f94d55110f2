from django.conf import settings
from django.core.management.base import BaseCommand

from lessons.services import lessons_load
from quizzes.content import quizzes_load
from trainingsite.demo import DEMO_ACCOUNTS, demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the demo accounts and load the shipped content; safe to run again."

    def handle(self, *args, **options):
        created = demo_accounts_ensure()
        self.stdout.write(f"Demo accounts created: {', '.join(created) or 'none (all present)'}")
        loaded = lessons_load(directory=settings.BASE_DIR / "fixtures" / "lessons")
        self.stdout.write(f"Topics: {loaded.topics}. Lessons: {loaded.lessons}.")
        quizzes = quizzes_load(directory=settings.BASE_DIR / "fixtures" / "quizzes")
        self.stdout.write(f"Questions: {quizzes.questions}. Quizzes: {quizzes.quizzes}.")
        self.stdout.write("Demo logins (local demo only):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<9} / {settings.DEMO_PASSWORD}")
