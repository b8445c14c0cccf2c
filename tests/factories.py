"""factory_boy factories for the project's models."""

import factory
from django.contrib.auth import get_user_model

from compliance.organisations.models import Membership, Organisation

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Exporter {n} Ltd.")
    slug = factory.Sequence(lambda n: f"exporter-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assessments.Assessment"

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Assessment {n}")

    @factory.lazy_attribute
    def version(self):
        from compliance.questionnaires.models import QuestionnaireVersion

        version = QuestionnaireVersion.objects.published().order_by("-number").first()
        if version is None:
            raise RuntimeError("Load a published questionnaire first (e.g. the sample).")
        return version
