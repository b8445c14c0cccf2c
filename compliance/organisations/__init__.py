"""Organisations, their members and roles, invitations, and the access rule."""
