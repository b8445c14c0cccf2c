"""Export-control compliance self-assessment: the Django project package."""
