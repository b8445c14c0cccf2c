"""What browser tests do on a section page, waiting for conditions, never for time."""

from playwright.sync_api import Page, expect


def settled(page: Page) -> None:
    """Wait until every change on the page has been saved (autosave.js keeps the state)."""
    expect(page.locator("#section-form")).to_have_attribute("data-autosave", "saved")


def visible_codes(page: Page) -> list[str]:
    """The codes of the question cards shown now, read in one evaluation of the page, so
    that no autosave can hide a card between listing it and reading its id."""
    return page.locator(".question-card").evaluate_all(
        "cards => cards.filter(card => card.checkVisibility()).map(card => card.id.slice(2))"
    )


def log_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
