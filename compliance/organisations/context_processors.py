"""The header's organisation switcher: the user's organisations and the current one."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import current_membership, memberships_for


def organisations(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    memberships = SimpleLazyObject(
        lambda: list(memberships_for(user).order_by("organisation__name")) if user else []
    )
    return {
        "my_memberships": memberships,
        "current_membership": SimpleLazyObject(lambda: current_membership(request, memberships)),
    }
