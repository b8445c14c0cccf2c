"""Forms for the e-mail based user model."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import validate_one_line


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, with the field labelled and typed as an e-mail address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.widget.input_type = "email"
        username.widget.attrs["autocomplete"] = "email"
        # Django sets max_length on the field after creating it, so only the browser
        # enforced it; no address that long is an account, so refuse it here.
        username.validators.append(MaxLengthValidator(username.max_length))


class NewPasswordForm(forms.Form):
    """A new password, typed twice and checked by Django's password validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def email_for_validation(self) -> str:
        return ""

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            try:
                validate_password(password1, User(email=self.email_for_validation()))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignUpForm(NewPasswordForm):
    """A new user and their organisation, in one form."""

    # The model's limit (254), not the form field's default (320): a longer address
    # would pass the form and be refused by PostgreSQL.
    email = forms.EmailField(
        label=_("Email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        validators=[validate_one_line],
        help_text=_("The company you assess. You can add others later."),
    )
    sector = forms.CharField(
        label=_("Sector"), max_length=200, required=False, validators=[validate_one_line]
    )
    country = forms.CharField(
        label=_("Country or region"),
        max_length=100,
        required=False,
        validators=[validate_one_line],
    )

    field_order = ["email", "password1", "password2", "organisation", "sector", "country"]

    def clean_email(self) -> str:
        # Whether the address has an account is not said here: the e-mail says it.
        return self.cleaned_data["email"].strip().lower()

    def email_for_validation(self) -> str:
        return self.cleaned_data.get("email", "")


class InvitedAccountForm(NewPasswordForm):
    """The password of an account created by accepting an invitation."""

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def email_for_validation(self) -> str:
        return self.email
