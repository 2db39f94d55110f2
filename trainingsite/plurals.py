"""Messages with a singular and a plural form, chosen by a count: never "(s)"."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import ngettext


@dataclass(frozen=True)
class Plural:
    """A message's singular and plural forms; `format` picks one by the value named `count`.

    It formats like `str.format`, so a message stays a module constant that callers and
    tests format as before: `QUESTIONS_RETIRED.format(count=1)` gives the singular.
    """

    singular: str
    plural: str
    count: str = "count"  # the name of the format value that chooses the form

    def format(self, **values: object) -> str:
        return ngettext(self.singular, self.plural, values[self.count]).format(**values)
