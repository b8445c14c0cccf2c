"""The admin is branded with the product's name, in both languages."""


def test_the_admin_carries_the_products_name_in_both_languages(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "ICP Self-Assessment: questionnaire administration" in page
    assert "Django administration" not in page
    admin_client.post("/i18n/setlang/", {"language": "zh-hans"})
    assert "内部合规机制自评估" in admin_client.get("/admin/").content.decode()


def test_make_run_creates_a_questionnaire_editor_who_reaches_the_admin(db, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("setup_demo_editor", stdout=out)
    call_command("setup_demo_editor", stdout=StringIO())  # twice: nothing duplicated
    assert "editor@example.com" in out.getvalue()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor@example.com", "password": "demo-editor-2026"},
    )
    assert response.status_code == 302
    page = client.get("/admin/").content.decode()
    assert "/admin/questionnaires/questionnaireversion/" in page
    assert "/admin/auth/user/" not in page  # an editor, not a superuser
