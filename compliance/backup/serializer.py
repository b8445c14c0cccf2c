"""The serialisation of a backup: Django's JSON, with two changes.

- Times keep their microseconds. Django's JSON encoder writes them to the millisecond
  (the ECMAScript format), so a plain ``dumpdata`` round trip would move every timestamp.
- References to rows that ``migrate`` creates with ids of its own in each database
  (content types, permissions) are written as natural keys, which the restore finds again
  by meaning; every other reference is the row's id, because a restore keeps the ids of
  all the rows it writes. Natural keys everywhere would also work, at several queries
  per reference when writing and reading; for the answers and their history, which are
  most of a backup, that is minutes instead of seconds.

Reading needs nothing special: Django's JSON deserialiser reads full ISO times and takes
a natural key wherever it finds one.
"""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder

FORMAT_NAME = "backup-json"

#: Models whose rows are referred to by natural key.
BY_NATURAL_KEY = frozenset({"contenttypes.contenttype", "auth.permission"})


class PreciseEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def by_natural_key(field) -> bool:
    return field.remote_field.model._meta.label_lower in BY_NATURAL_KEY


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = PreciseEncoder

    def handle_fk_field(self, obj, field):
        if by_natural_key(field):
            related = getattr(obj, field.name)
            self._current[field.name] = related.natural_key() if related else None
        else:
            self._current[field.name] = self._value_from_field(obj, field)

    def handle_m2m_field(self, obj, field):
        # Django's serialiser chooses natural keys or ids by this flag, for each field.
        self.use_natural_foreign_keys = by_natural_key(field)
        super().handle_m2m_field(obj, field)


Deserializer = django_json.Deserializer
