"""What a browser test watches on every page: what the browser refused or complained
about (Content-Security-Policy violations, console errors and warnings, uncaught
errors), what reaches past the right edge of the window, and text left untranslated."""

from playwright.sync_api import Page

# Runs in every document before its own scripts (Playwright injects it, outside the policy).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation({
    page: location.pathname,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
}, true);
"""

# Violation events are queued tasks: one more task lets those already queued run. The
# binding's own promise resolves only once the test has received the call, and calls
# arrive in order, so every report sent before this one has arrived when it returns.
FLUSH = """async () => {
  await new Promise((resolve) => setTimeout(resolve));
  await window.reportViolation(null);
}"""


class Refusals:
    """What the browser refused or complained about, page by page."""

    def __init__(self, page: Page):
        self.page = page
        self.violations: list[dict] = []
        self.console: list[str] = []
        #: The status the page being visited is meant to answer with.
        self.expected_status = 200
        page.expose_function("reportViolation", self._violation)
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _violation(self, details: dict | None) -> None:
        if details is not None:
            self.violations.append(details)

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        # Chromium logs a page answered with an error status as a failed resource: not a
        # complaint when the test asked for that status (a 404 page, say).
        expected = f"the server responded with a status of {self.expected_status} "
        if message.location.get("url") == self.page.url and expected in message.text:
            return
        self.console.append(f"{message.type} on {self.page.url}: {message.text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200, url
        self.settle()

    def settle(self) -> None:
        """Wait until the page has loaded and every violation it caused has been reported."""
        self.page.wait_for_load_state("load")
        self.page.evaluate(FLUSH)

    def take(self) -> list[str]:
        """Everything refused or complained about since the last call, in words."""
        found = [
            f"CSP refused {v['directive']} ({v['blocked']}) at {v['source']}: {v['sample']!r}"
            for v in self.violations
        ] + self.console
        self.violations, self.console = [], []
        return found

    def assert_none(self) -> None:
        assert self.violations == [], self.violations
        assert self.console == [], self.console


# One evaluation per page and width: the elements that make the page scroll sideways
# (the innermost ones reaching past the right edge, outside any scrolling box), and the
# text in the wrong language.
INSPECT = r"""({ allowed }) => {
  const root = document.documentElement;
  const width = window.innerWidth;
  const describe = (element) => {
    const id = element.id ? "#" + element.id : "";
    const classes = [...element.classList].slice(0, 3).map((name) => "." + name).join("");
    const text = (element.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return `<${element.localName}${id}${classes}>` + (text ? ` "${text}"` : "");
  };
  const scrolls = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  let overflow = null;
  if (root.scrollWidth > width + 1) {
    const wide = [...document.body.querySelectorAll("*")].filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.right > width + 1 && !scrolls(element);
    });
    const innermost = wide.filter(
      (element) => !wide.some((other) => other !== element && element.contains(other))
    );
    const culprits = innermost.slice(0, 3).map(describe);
    overflow = { scrollWidth: root.scrollWidth, width, culprits };
  }

  // English left on a Chinese page: a run of two English words, not counting the allowed
  // ones. Not in text that is no prose of the page's (code, e-mail addresses, web
  // addresses, what the user typed into a field), nor in text marked as in another
  // language (lang="...", such as the language switch; the admin's English fields).
  // Nothing to check on an English page (allowed is null).
  if (allowed === null) return { overflow, untranslated: [] };
  const wrong = /[A-Za-z]{2,}[\s\u00a0]+[A-Za-z]{2,}/;
  const words = allowed.length ? new RegExp(`\\b(?:${allowed.join("|")})\\b`, "g") : null;
  const skip = "script, style, noscript, template, code, pre, kbd, samp, textarea, [translate=no]";
  // The admin puts each field in a box of class field-<name>: a field whose name ends in
  // _en holds the English version of bilingual content (a question's text_en, say).
  const englishField = (element) => {
    for (let box = element; box; box = box.parentElement) {
      if ([...box.classList].some((name) => /^field-\w+_en$/.test(name))) return true;
    }
    return false;
  };
  const otherLanguage = (element) => {
    const marked = element.closest("[lang]");
    if (marked !== null && marked !== root && marked.lang !== root.lang) return true;
    return englishField(element);
  };
  const strip = (text) => {
    text = text.replace(/[^\s@]+@[^\s@]+/g, " ").replace(/\bhttps?:\/\/\S+/g, " ");
    return words ? text.replace(words, "·") : text;
  };
  const texts = new Map();
  const check = (text, element, where) => {
    const clean = strip(text);
    if (wrong.test(clean)) {
      const shown = text.trim().replace(/\s+/g, " ").slice(0, 80);
      texts.set(`${shown}|${where}`, `"${shown}" in ${where}`);
    }
  };
  check(document.title, root, "<title>");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.data.trim() || element.closest(skip) || otherLanguage(element)) continue;
    check(node.data, element, describe(element));
  }
  const attributes = ["title", "aria-label", "placeholder", "alt"];
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest(skip) || otherLanguage(element)) continue;
    for (const attribute of element.attributes) {
      const name = attribute.name;
      const button = name === "value" && ["submit", "button", "reset"].includes(element.type);
      if (attributes.includes(name) || name.startsWith("data-msg") || button) {
        check(attribute.value, element, `${name}= of ${describe(element)}`);
      }
    }
  }
  return { overflow, untranslated: [...texts.values()] };
}"""


def layout_and_language_problems(page: Page, allowed: tuple[str, ...] | None) -> list[str]:
    """What is wrong with the page as it is laid out now: sideways scrolling, and on a
    Chinese page (``allowed`` not None) English text, ``allowed`` words excepted, in the
    page and in the documents it frames (the report)."""
    arguments = {"allowed": None if allowed is None else list(allowed)}
    found = page.evaluate(INSPECT, arguments)
    problems = []
    for frame in page.main_frame.child_frames:
        # A framed document scrolls inside its frame; only its words count.
        framed = frame.evaluate(INSPECT, arguments)["untranslated"]
        problems += [f"untranslated, in the frame {frame.url}: {text}" for text in framed]
    if found["overflow"]:
        overflow = found["overflow"]
        problems.append(
            f"scrolls sideways ({overflow['scrollWidth']} px wide in {overflow['width']}): "
            + ", ".join(overflow["culprits"])
        )
    problems += [f"untranslated: {text}" for text in found["untranslated"]]
    return problems
