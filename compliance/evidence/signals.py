"""What other apps may follow of the evidence library, without this app knowing them."""

from django.dispatch import Signal

#: Sent inside the transaction that removes an item from the library, with ``item=`` and
#: ``user=`` (the assessments app unlinks it from draft assessments; submitted ones keep it).
item_removed = Signal()
