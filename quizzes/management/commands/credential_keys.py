import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from quizzes.credentials.keys import (
    CredentialKeysError,
    key_set_exists,
    key_set_generate,
    key_set_rotate,
    public_jwks,
)
from quizzes.credentials.services import credentials_backfill


class Command(BaseCommand):
    help = "Generate, rotate or show the credential signing keys, and sign missing credentials."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--generate", action="store_true", help="Write a new key set; refuse if one exists."
        )
        action.add_argument(
            "--rotate",
            action="store_true",
            help="Add a new signing key first; the old ones stay published and verify.",
        )
        action.add_argument(
            "--ensure", action="store_true", help="Generate a key set only if there is none."
        )
        action.add_argument(
            "--public", action="store_true", help="Print the public keys (the JWKS)."
        )
        action.add_argument(
            "--backfill",
            action="store_true",
            help="Sign a credential for every certificate that has none.",
        )

    def handle(self, *args, **options):
        try:
            if options["public"]:
                self.stdout.write(json.dumps(public_jwks(), indent=2))
            elif options["backfill"]:
                count = credentials_backfill()
                noun = ngettext("certificate", "certificates", count)
                self.stdout.write(f"Credentials signed for {count} {noun}.")
            elif options["ensure"] and key_set_exists():
                self.stdout.write("Credential keys: present.")
            elif options["rotate"]:
                path, kid = key_set_rotate()
                self.stdout.write(f"New signing key {kid} added first in {path}; old keys kept.")
            else:
                path, kid = key_set_generate()
                self.stdout.write(f"Credential key set written to {path} (signing key {kid}).")
        except CredentialKeysError as error:
            raise CommandError(str(error)) from error
