"""People: the user model (login by e-mail), sign-up, login and profile pages."""
