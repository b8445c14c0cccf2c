"""Authoring: versioned questionnaires, their admin, and YAML import and export."""
