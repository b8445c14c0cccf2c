"""/favicon.ico, which browsers ask for on pages that name no icon (the admin's)."""

import pytest


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_app_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    assert client.get(response["Location"]).status_code == 200
