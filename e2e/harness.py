"""What the journeys stand on: the server under test, the mailbox, the sample shop's web site and a
browser that checks every page it sees for accessibility and keeps screenshots of the pages that
matter.

Nothing here knows a journey; journeys.py tells the story.
"""
import base64, glob, http.server, json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time, urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "e2e", "screenshots")
GUIDE_IMAGES = os.path.join(ROOT, "docs", "images")
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
# Shops in the journeys use domains under .test; the browser resolves them to the sample site here.
SHOP_TLD = "test"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JourneyFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise JourneyFailed(message)


class Texts:
    """The interface's own words, so a journey reads what a person in that language reads."""

    def __init__(self, lang):
        with open(os.path.join(ROOT, "Resources", "Locales", lang + ".json"), encoding="utf-8") as f:
            self.words = json.load(f)
        self.lang = lang

    def __call__(self, key, **values):
        text = self.words[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def stem(self, key):
        """The words of a text before its first placeholder."""
        return self.words[key].split("{")[0].strip()


class Mailbox:
    """scripts/smtp-sink.py: every mail the server sends, as JSON with its text."""

    def __init__(self, directory):
        self.directory = directory
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "smtp-sink.py"), "--dir", directory],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        expect(line.startswith("READY"), "the SMTP sink did not start: %r" % line)
        self.port = int(line.split()[1])

    def all(self):
        mails = []
        for path in sorted(glob.glob(os.path.join(self.directory, "*.json"))):
            with open(path, encoding="utf-8") as f:
                mails.append(json.load(f))
        return mails

    def wait(self, to, contains="", timeout=30, after=0):
        """The newest mail to `to` whose text has `contains`, waiting for the outbox to send it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [m for m in self.all()[after:] if to.lower() in [r.lower() for r in m["to"]] and contains in m["text"]]
            if found:
                return found[-1]
            time.sleep(0.2)
        raise JourneyFailed("no mail to %s containing %r within %d s (mails: %s)" % (to, contains, timeout, [(m["to"], m["subject"]) for m in self.all()]))

    @staticmethod
    def link(mail, fragment):
        for url in re.findall(r"https?://[^\s<>\"]+", mail["text"]):
            if fragment in url:
                return url.rstrip(".,)")
        raise JourneyFailed("the mail %r has no link with %r" % (mail["subject"], fragment))

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class Server:
    """The trustmark server from the debug build, on a fresh database and a settable clock."""

    def __init__(self, work, mailbox, clock, seal_max_age):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        binary = os.path.join(ROOT, ".build", "debug", "trustmark")
        expect(os.path.exists(binary), "build first: swift build (missing %s)" % binary)
        env = dict(os.environ, DATABASE_URL="sqlite://" + os.path.join(work, "trustmark.sqlite"), TRUSTMARK_DATA=os.path.join(work, "data"),
                   TRUSTMARK_RESOURCES=ROOT, TRUSTMARK_CLOCK="fixed:" + clock, SMTP_URL="smtp://127.0.0.1:%d" % mailbox.port,
                   TRUSTMARK_BASE_URL=self.base, TRUSTMARK_SITE_CHECKER="off", TRUSTMARK_SEAL_MAX_AGE=str(seal_max_age),
                   TRUSTMARK_ENV="development", LOG_LEVEL="warning")
        self.log = open(os.path.join(work, "server.log"), "w")
        self.process = subprocess.Popen([binary, "serve", "--port", str(self.port), "--scheme", os.path.join(ROOT, "Schemes", "default.yaml")],
                                        cwd=work, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.setup_link = None
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.process.stdout.readline()
            expect(line != "" or self.process.poll() is None, "the server stopped at start-up; see %s" % self.log.name)
            if "/setup/" in line:
                self.setup_link = line.strip()
            if line.startswith("Trustmark ") and " on " in line:
                break
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def api(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read() or b"{}")

    def advance(self, duration):
        """Moves the settable clock (ISO 8601 duration); the server runs the jobs that fall due."""
        return self.api("POST", "/api/v1/dev/clock", {"advance": duration})

    def now(self):
        return self.api("GET", "/api/v1/dev/clock")["now"]

    def today(self, plus_days=0):
        import datetime
        now = datetime.datetime.fromisoformat(self.now().replace("Z", "+00:00"))
        return (now + datetime.timedelta(days=plus_days)).date()

    def set_clock(self, moment):
        return self.api("POST", "/api/v1/dev/clock", {"set": moment})

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


class ShopSite:
    """A member shop's own web site: one page with the seal snippet its owner copied from the portal.
    The browser reaches it under the shop's domain (host resolver rule), so the seal sees its Referer."""

    def __init__(self):
        self.pages = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                body = pages.get(host)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def publish(self, domain, name, snippet):
        self.pages[domain] = ('<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>%s</title></head>'
                              '<body><main><h1>%s</h1><p>Fietsen, onderdelen en reparaties.</p></main>'
                              '<footer>%s</footer></body></html>') % (name, name, snippet)
        return "http://%s:%d/" % (domain, self.port)

    def stop(self):
        self.httpd.shutdown()


class Report:
    """What the whole run saw: pages checked, screenshots and accessibility findings."""

    def __init__(self):
        self.pages = set()
        self.checks = 0
        self.screenshots = []
        self.shot_numbers = {}
        self.problems = []
        self.journeys = []


class Browser:
    """Chromium in one language and one window size. Every page it lands on is checked with axe-core
    (no serious or critical violation), for labels and for a visible keyboard focus."""

    def __init__(self, report, lang, size, journey):
        self.report, self.lang, self.size, self.journey = report, lang, size, journey
        self.t = Texts(lang)
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=" + lang,
                         "--host-resolver-rules=MAP *.%s 127.0.0.1" % SHOP_TLD, "--window-size=%d,%d" % SIZES[size]):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": lang})
        binary = shutil.which("chromium")
        if binary:
            options.binary_location = binary
        service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_page_load_timeout(30)

    # Looking ---------------------------------------------------------------------------------------

    def visit(self, url):
        self.driver.get(url)
        self.check()

    def path(self):
        return re.sub(r"^https?://[^/]+", "", self.driver.current_url)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def see(self, words):
        expect(words in self.text(), "%s [%s %s]: expected to read %r on %s; the page says:\n%s" %
               (self.journey, self.lang, self.size, words, self.path(), self.text()[:1500]))

    def see_within(self, words, seconds):
        """Reloads until the page says `words`: what public pages show may be cached for `seconds`."""
        deadline = time.time() + seconds
        while words not in self.text() and time.time() < deadline:
            time.sleep(0.5)
            self.driver.refresh()
        self.check()
        self.see(words)

    def follows_to(self, words, seconds):
        """Waits, without reloading, until the page itself shows `words` (its script follows the work)."""
        deadline = time.time() + seconds
        while words not in self.text() and time.time() < deadline:
            time.sleep(0.3)
        self.check()
        self.see(words)

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def check(self):
        """axe-core on the page as it stands, then the keyboard: every control reachable, focus visible."""
        url = self.driver.current_url
        if not url.startswith("http"):
            return
        key = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32,}|\d+", "N", self.path().split("?")[0])
        self.report.pages.add(key)
        self.report.checks += 1
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        for violation in results["violations"]:
            if violation.get("impact") in ("serious", "critical"):
                nodes = [" ".join(node.get("target", [])) for node in violation["nodes"]][:5]
                self.report.problems.append("%s [%s %s] %s: %s (%s: %s) at %s" % (self.journey, self.lang, self.size, self.path(), violation["id"],
                                                                              violation["impact"], violation["help"], nodes))
        for problem in self.keyboard_walk():
            self.report.problems.append("%s [%s %s] %s: %s" % (self.journey, self.lang, self.size, self.path(), problem))

    def keyboard_walk(self):
        """Tabs through the page as a person without a mouse: every control reached, every focus visible."""
        problems, stops = self.driver.execute_script(KEYBOARD_SETUP)
        actions = ActionChains(self.driver)
        for _ in range(stops + 12):
            actions.send_keys(Keys.TAB)
        actions.perform()
        return problems + self.driver.execute_script(KEYBOARD_RESULT)

    def shot(self, name, guide=None):
        """Saves the whole page to e2e/screenshots/; with `guide` (a file name) and E2E_GUIDE set, also a
        smaller picture of its top for the operator guide in docs/images/."""
        if guide and os.environ.get("E2E_GUIDE") and (self.lang, self.size) == ("nl", "desktop"):
            os.makedirs(GUIDE_IMAGES, exist_ok=True)
            size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 1300), "scale": 0.75}
            picture = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
            with open(os.path.join(GUIDE_IMAGES, guide), "wb") as f:
                f.write(base64.b64decode(picture["data"]))
        os.makedirs(SHOTS, exist_ok=True)
        tag = "%s-%s-%s" % (self.journey, self.lang, self.size)
        number = self.report.shot_numbers.get(tag, 0) + 1
        self.report.shot_numbers[tag] = number
        path = os.path.join(SHOTS, "%s-%02d-%s.png" % (tag, number, name))
        # The whole page, not only the window: the layout's full size, captured beyond the viewport.
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        self.report.screenshots.append(path)
        overflow = self.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 2:
            self.report.problems.append("%s [%s %s] %s: the page is %d px wider than the window" % (self.journey, self.lang, self.size, self.path(), overflow))
        return path

    # Doing -----------------------------------------------------------------------------------------

    def field(self, id):
        return self.driver.find_element(By.ID, id)

    def fill(self, values):
        for id, value in values.items():
            element = self.field(id)
            if element.tag_name == "select":
                self.driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))", element, value)
            elif element.get_attribute("type") == "date":
                self.driver.execute_script("arguments[0].value = arguments[1]", element, value)
            elif element.get_attribute("type") in ("checkbox", "radio"):
                if bool(value) != element.is_selected():
                    self.driver.execute_script("arguments[0].click()", element)
            else:
                element.clear()
                element.send_keys(value)

    def submit(self, form_action=None, button=None):
        """Presses the form's submit button (the form by its action, or the page's first form in <main>)."""
        if button is not None:
            element = self.driver.find_element(By.XPATH, button)
        else:
            form = self.driver.find_element(By.CSS_SELECTOR, "main form[action='%s']" % form_action if form_action else "main form")
            element = form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type])")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        self.navigate(element.click)

    def navigate(self, action):
        """Does what loads another page, waits until it has, and checks the new page."""
        self.driver.execute_script("window.trustmarkOldPage = true")

        def arrived(driver):
            try:
                return driver.execute_script("return !window.trustmarkOldPage && document.readyState === 'complete'")
            except Exception:
                return False

        action()
        WebDriverWait(self.driver, 30).until(arrived)
        self.check()

    def click_link(self, text=None, href=None, xpath=None):
        if xpath is not None:
            element = self.driver.find_element(By.XPATH, xpath)
        elif href is not None:
            element = self.driver.find_element(By.CSS_SELECTOR, "a[href*='%s']" % href)
        else:
            element = self.driver.find_element(By.PARTIAL_LINK_TEXT, text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        self.navigate(element.click)

    def keyboard(self, *keys):
        """Types keys to whatever has the focus, as a person without a mouse does."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.switch_to.active_element

    def tab_to(self, id, limit=80):
        """Presses Tab until the field `id` has the focus; fails if the keyboard never reaches it."""
        for _ in range(limit):
            if self.focused().get_attribute("id") == id:
                return
            self.keyboard(Keys.TAB)
        raise JourneyFailed("%s: the keyboard never reaches #%s on %s" % (self.journey, id, self.path()))

    def login(self, base, email, password):
        self.visit(base + "/login")
        self.fill({"email": email, "password": password})
        self.submit("/login")
        expect("/login" not in self.path(), "%s: signing in as %s failed: %s" % (self.journey, email, self.text()[:500]))

    def speak(self):
        """Picks this browser's language in the header when the account's own choice is another."""
        if self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") != self.lang:
            self.click_link(href="/language/%s?" % self.lang)
        expect(self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == self.lang, "the language switch to %s works" % self.lang)

    def logout(self):
        self.driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()

    def close(self):
        self.driver.quit()


# Runs in the page before the keyboard walk: every field needs a label; every visible control is
# numbered, and each focus the keyboard gives is logged with whether it can be seen (an outline or a
# shadow). Controls in a closed <details> count once it is opened; a radio group is one stop.
KEYBOARD_SETUP = """
const problems = [];
const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '')
  + (el.tagName === 'A' ? '[href=' + el.getAttribute('href') + ']' : '') + (el.textContent ? ' "' + el.textContent.trim().slice(0, 30) + '"' : '');
const stop = el => el.type === 'radio' ? 'radio:' + el.name : 'el:' + el.dataset.tmIndex;
const controls = Array.from(document.querySelectorAll('main a[href], main summary, main button, main input:not([type=hidden]), main select, main textarea, header a[href], header button'))
  .filter(el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden' || el.disabled) return false;
    const closed = el.closest('details:not([open])');
    return !closed || (el.tagName === 'SUMMARY' && el.parentElement === closed);
  });
controls.forEach((el, i) => {
  el.dataset.tmIndex = i;
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) {
    const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push('field without a label: ' + describe(el));
  }
});
window.tmFocus = [];
// Only an element's first focus is judged: the walk's last presses leave the page for the browser's own
// controls and come back to its first link, and Chrome may fire that focus before the page has the
// window's focus again, when no :focus style applies yet. That link was judged on the first press.
const judged = new Set();
window.tmListener = e => {
  const el = e.target, look = getComputedStyle(el);
  if (judged.has(el)) return;
  judged.add(el);
  const shown = (look.outlineStyle !== 'none' && parseFloat(look.outlineWidth) > 0) || look.boxShadow !== 'none';
  window.tmFocus.push({stop: el.dataset.tmIndex !== undefined ? stop(el) : null, shown: shown, name: describe(el)});
};
document.addEventListener('focusin', window.tmListener);
// The walk starts at the top of the page without focusing anything by script: a focus given by script
// need not show (:focus-visible follows the last input), while one given by Tab must.
if (document.activeElement) { document.activeElement.blur(); }
document.getSelection().collapse(document.body, 0);
window.tmStops = Array.from(new Set(controls.map(stop)));
window.tmNames = Object.fromEntries(controls.map(el => [stop(el), describe(el)]));
return [problems, window.tmStops.length];
"""

# After the walk: which stops the keyboard never reached, and which focus could not be seen.
KEYBOARD_RESULT = """
document.removeEventListener('focusin', window.tmListener);
const problems = [];
const reached = new Set(window.tmFocus.map(f => f.stop));
for (const stop of window.tmStops) if (!reached.has(stop)) problems.push('the keyboard never reaches ' + window.tmNames[stop]);
const unseen = new Set(window.tmFocus.filter(f => !f.shown).map(f => f.name));
for (const name of unseen) problems.push('no visible focus: ' + name);
if (document.activeElement) document.activeElement.blur();
window.scrollTo(0, 0);
return problems;
"""
