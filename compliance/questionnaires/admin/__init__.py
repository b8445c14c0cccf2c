"""The authoring admin: drafts are edited here; published versions are shown read-only.

State changes (publish, retire, new draft, import) go through ``services`` so that the
admin, the management commands and the tests share one set of rules.
"""

from . import content, versions  # noqa: F401 (importing them registers the admins)
