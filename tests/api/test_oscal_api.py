"""The OSCAL documents through the API: the same builders as the downloads, validated by
compliance-trestle's models, under the API's access rule."""

from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from compliance.questionnaires.oscal import catalog
from tests.api.conftest import bearer


def test_a_published_versions_catalog_in_both_languages(client, world):
    url = "/api/v1/questionnaires/sample-icp/1/oscal/"
    english = client.get(url, **bearer(world["read"]))
    assert english.status_code == 200
    assert english.json() == catalog(world["version"], "en")
    Catalog.model_validate(english.json()["catalog"])
    chinese = client.get(url, {"lang": "zh-hans"}, **bearer(world["read"])).json()
    Catalog.model_validate(chinese["catalog"])
    assert chinese != english.json()
    again = client.get(url, HTTP_IF_NONE_MATCH=english["ETag"], **bearer(world["read"]))
    assert again.status_code == 304


def test_a_bad_language_is_400(client, world):
    response = client.get(
        "/api/v1/questionnaires/sample-icp/1/oscal/", {"lang": "fr"}, **bearer(world["read"])
    )
    assert response.status_code == 400
    assert "lang" in response.json()["error"]["fields"]


def test_an_assessments_results(client, world):
    response = client.get(
        f"/api/v1/assessments/{world['submitted'].uuid}/oscal/", **bearer(world["read"])
    )
    assert response.status_code == 200
    AssessmentResults.model_validate(response.json()["assessment-results"])
    theirs = client.get(
        f"/api/v1/assessments/{world['theirs'].uuid}/oscal/", **bearer(world["read"])
    )
    assert theirs.status_code == 404
