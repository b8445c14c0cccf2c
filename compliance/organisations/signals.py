"""What other apps may follow of an organisation's membership, without this app knowing
them."""

from django.dispatch import Signal

#: Sent inside the transaction that removes a member, with ``organisation=``, ``user=``
#: (the member who leaves) and ``by=`` (who removed them, or None): the actions app hands
#: their actions back to the owners; the assessments app drops their section assignments.
member_removed = Signal()
