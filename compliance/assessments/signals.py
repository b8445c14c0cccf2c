"""What other apps may follow of an assessment's life, without this app knowing them."""

from django.dispatch import Signal

#: Sent once an assessment's submission is committed, with ``assessment=`` (the reports
#: app renders its PDFs before anyone asks for them).
submitted = Signal()
