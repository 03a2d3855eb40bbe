#!/usr/bin/env python3
"""Trustmark's people, in a real browser, against a server on a fresh database and a settable clock.

One story per language and window size. In each, a shop owner applies, the inspector audits, the owner
fixes what failed, signs and pays, and the seal turns valid on the shop's own site; a consumer clicks
that seal, checks the shop and files a complaint, confirmed from the mail; the owner answers in the
portal; the mediator closes it; a buyer rates the shop from an invitation mail; and an administrator
suspends the shop, whose seal shows it within the cache window. Every page is checked by axe-core and
for keyboard use; key pages are kept as screenshots in e2e/screenshots/.

Usage: e2e/journeys.py [--only nl-desktop,...] [--guide]   (e2e/run builds the server first)
"""
import argparse, datetime, os, sys, tempfile, time, traceback, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Browser, JourneyFailed, Mailbox, Report, Server, ShopSite, Texts, expect  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

PASSWORD = "a long enough passphrase"
STORIES = [("nl", "desktop"), ("nl", "phone"), ("en", "phone"), ("de", "desktop")]
CACHE_SECONDS = 5


class World:
    """What every story shares: the server, its mailbox, the shops' sites and the staff."""

    def __init__(self, work, report):
        self.report = report
        self.mail = Mailbox(os.path.join(work, "mail"))
        self.server = Server(work, self.mail, "2027-01-04T09:00:00Z", CACHE_SECONDS)
        self.site = ShopSite()
        self.base = self.server.base

    def browser(self, lang, size, journey):
        return Browser(self.report, lang, size, journey)

    def stop(self):
        for part in (self.site, self.server, self.mail):
            try:
                part.stop()
            except Exception:
                pass


def first_start(world):
    """The operator opens the one-time link, becomes the first administrator and invites the staff."""
    b = world.browser("nl", "desktop", "first-start")
    try:
        expect(world.server.setup_link, "the server printed no one-time link for the first administrator")
        b.visit(world.server.setup_link)
        b.shot("setup", guide="first-administrator.png")
        b.fill({"name": "Anna Admin", "email": "admin@keurmerk.test", "new_password": PASSWORD, "confirm_password": PASSWORD})
        b.submit()
        expect(b.path() == "/staff", "after setting up, the administrator lands on the staff dashboard, not %s" % b.path())
        for role, name in (("inspector", "Ivo Inspecteur"), ("mediator", "Mila Bemiddelaar"), ("finance", "Fenna Financiën")):
            b.visit(world.base + "/users/invite")
            b.fill({"name": name, "email": "%s@keurmerk.test" % role, "role": role})
            b.submit("/users/invite")
            link = world.mail.link(world.mail.wait("%s@keurmerk.test" % role), "/invitations/")
            staff = world.browser("nl", "desktop", "first-start")
            try:
                staff.visit(link)
                staff.fill({"new_password": PASSWORD, "confirm_password": PASSWORD})
                staff.submit()
                expect(staff.path() == "/staff", "the invited %s lands on %s" % (role, staff.path()))
            finally:
                staff.close()
        # The members the organisation already had come in from its spreadsheet; the import shows how far it got.
        members = os.path.join(os.path.dirname(world.server.log.name), "leden.csv")
        with open(members, "w", encoding="cp1252") as f:
            f.write("Organisatie;KvK-nummer;BTW-nummer;Contactpersoon;E-mail contactpersoon;Webwinkel;Domeinen;Lid sinds;Betaald tot\r\n")
            for index in range(40):
                f.write("Tuinwinkel %d B.V.;%d;NL123456782B01;Jos Müller;jos%d@tuin%d.test;Tuin %d;tuin%d.test;01-03-2025;28-02-2027\r\n"
                        % (index, 30000000 + index, index, index, index, index))
        b.visit(world.base + "/staff/import-export")
        b.field("import-file").send_keys(members)
        b.fill({"import-dry": False})
        b.submit("/staff/import-export")
        expect("/staff/import-export/runs/" in b.path(), "the import runs in the background with a page of its own, not %s" % b.path())
        b.follows_to(b.t("import_report_done"), 60)
        b.shot("import-report", guide="import-report.png")
        b.visit(world.base + "/staff/jobs")
        b.see(b.t("work_import", file="leden.csv"))
        b.shot("jobs", guide="jobs.png")
        b.visit(world.base + "/staff")
        b.shot("dashboard")
    finally:
        b.close()


class Story:
    def __init__(self, world, lang, size):
        self.world, self.lang, self.size = world, lang, size
        self.t = Texts(lang)
        self.tag = "%s-%s" % (lang, size)
        self.slug_name = {"nl": "Fietsenhuis", "en": "Bikeshed", "de": "Fahrradladen"}[lang] + ("" if size == "desktop" else " Mobiel")
        self.domain = "%s-%s.%s" % (self.slug_name.lower().replace(" ", "-"), size, "test")
        self.owner = "owner@%s" % self.domain
        self.consumer = "klant-%s@example.test" % self.tag
        self.buyer = "koper-%s@example.test" % self.tag
        self.base = world.base

    def browser(self, journey):
        return self.world.browser(self.lang, self.size, journey)

    def staff(self, role, journey):
        b = self.browser(journey)
        b.login(self.base, "%s@keurmerk.test" % role, PASSWORD)
        b.speak()
        return b

    # 1. Apply, audit, fix, sign, pay: the seal turns valid ----------------------------------------------

    def membership(self):
        t, owner = self.t, self.browser("membership")
        try:
            owner.visit(self.base + "/")
            owner.click_link(href="/apply")
            owner.shot("apply", guide="apply.png")
            # Sending it empty first: every missing field is named, nothing is lost.
            owner.submit("/apply")
            owner.see(t("form_has_errors"))
            owner.shot("apply-errors")
            owner.fill({"legal_name": self.slug_name + " B.V.", "kvk": "12345678", "vat": "NL123456782B01", "street": "Markt 1", "postcode": "1234 AB",
                        "city": "Utrecht", "country": "NL", "phone": "+31 30 123 4567", "org_email": "info@" + self.domain,
                        "contact_name": "Eva de Vries", "contact_email": self.owner, "shop_name": self.slug_name, "shop_domains": self.domain, "accept": True})
            owner.submit("/apply")
            owner.see(t.stem("apply_sent_title"))
            owner.shot("apply-sent")
            owner.visit(self.world.mail.link(self.world.mail.wait(self.owner), "/invitations/"))
            owner.fill({"new_password": PASSWORD, "confirm_password": PASSWORD})
            owner.submit()
            owner.visit(self.base + "/portal/membership")
            owner.shot("portal-applied")

            admin = self.staff("admin", "membership")
            admin.visit(self.base + "/staff/applications")
            admin.shot("queue")
            row = admin.driver.find_element(By.XPATH, "//main//tr[contains(., '%s B.V.')]//a[contains(@href, '/staff/applications/')]" % self.slug_name)
            application = row.get_attribute("href").rstrip("/").split("/")[-1]
            admin.click_link(xpath="//main//a[contains(@href, '/staff/applications/%s')]" % application)
            admin.fill({"inspector": self.inspector_id(admin)})
            admin.submit("/staff/applications/%s/assign" % application)

            inspector = self.staff("inspector", "membership")
            inspector.visit(self.base + "/staff/applications/" + application)
            inspector.submit("/staff/applications/%s/declare" % application)
            self.audit(inspector, application, failing=1)
            inspector.shot("audit", guide="audit.png")

            # The owner reads what failed, fixes it and asks for the re-check.
            owner.visit(self.base + "/portal/membership")
            owner.shot("portal-changes", guide="portal-membership.png")
            owner.submit("/portal/applications/%s/recheck" % application)
            self.audit(inspector, application, failing=0)
            inspector.close()

            admin.visit(self.base + "/staff/applications/" + application)
            admin.driver.execute_script("document.querySelector(\"input[name=decision][value=approve]\").click()")
            admin.submit("/staff/applications/%s/decision" % application)
            owner.visit(self.base + "/portal/membership")
            owner.fill({"sign-name": "Eva de Vries"})
            owner.submit("/portal/membership/sign")
            owner.shot("signed")
            admin.visit(self.base + "/staff/applications/" + application)
            admin.submit(button="//form[contains(@action, '/countersign')]//button")
            admin.shot("countersigned")
            admin.close()

            finance = self.staff("finance", "membership")
            finance.visit(self.base + "/staff/invoices")
            finance.shot("invoices", guide="invoices.png")
            form = finance.driver.find_element(By.CSS_SELECTOR, "form[action$='/payments']")
            invoice = form.get_attribute("action").split("/")[-2]
            finance.driver.execute_script("arguments[0].closest('details').querySelector('summary').click()", form)
            expect(finance.field("amount-" + invoice).get_attribute("value") != "", "the payment form is filled with the amount still open")
            finance.fill({"ref-" + invoice: "bank 2027-001"})
            finance.submit("/staff/invoices/%s/payments" % invoice)
            finance.shot("paid")
            finance.see(self.t("invoice_status_paid"))
            finance.close()

            # Memberships start on the first of the next month: the clock moves there, and the seal is valid.
            today = self.world.server.today()
            first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            self.world.server.set_clock("%sT08:00:00Z" % first.isoformat())

            # Weeks later the owner signs in again and copies the seal's snippet to the shop's site.
            owner.login(self.base, self.owner, PASSWORD)
            owner.visit(self.base + "/portal/seal")
            owner.shot("seal-kit", guide="seal-kit.png")
            snippet = owner.driver.find_element(By.CSS_SELECTOR, "textarea[id^='embed-']").get_attribute("value")
            expect("<img" in snippet and "<script" not in snippet, "the seal snippet is an image in a link without script: %r" % snippet)
            self.seal_lang = "nl" if self.lang == "nl" else self.lang
            expect(self.lang == "nl" or "lang=" + self.lang in snippet, "the snippet asks for a seal in the owner's language: %r" % snippet)
            self.shop_page = self.world.site.publish(self.domain, self.slug_name, snippet)
            owner.visit(self.shop_page)
            owner.shot("shop-site-valid")
            expect(self.seal_words().stem("seal_valid_since") in self.seal_title(owner), "the seal on the shop's own site says valid; it says %r" % self.seal_title(owner))
            owner.close()
        except Exception:
            owner.close()
            raise

    def seal_words(self):
        """The seal speaks the language its snippet asks for, else the scheme's own (Dutch)."""
        return Texts(self.seal_lang)

    @staticmethod
    def seal_title(browser):
        """The seal's words as the shop's page shows them (its SVG title), fetched with that page as Referer."""
        return browser.driver.execute_script(
            "const img = document.querySelector('footer a img');"
            "return fetch(img.src, {cache: 'no-store'}).then(r => r.text())"
            ".then(t => new DOMParser().parseFromString(t, 'image/svg+xml').querySelector('title').textContent)")

    def inspector_id(self, admin):
        return admin.driver.execute_script("return Array.from(document.querySelectorAll('#inspector option')).find(o => o.text.includes('Ivo')).value")

    def audit(self, inspector, application, failing):
        """Every criterion passes except the first `failing` ones; the report is finished."""
        inspector.visit(self.base + "/staff/applications/" + application)
        radios = inspector.driver.find_elements(By.CSS_SELECTOR, "input[type=radio][name^='result.'][value=pass]")
        expect(radios, "the audit form lists the criteria")
        for index, radio in enumerate(radios):
            name = radio.get_attribute("name")
            value = "fail" if index < failing else "pass"
            inspector.driver.execute_script("document.querySelector(\"input[name='%s'][value=%s]\").click()" % (name, value))
            key = name.split(".", 1)[1].replace("|", "-")
            if value == "fail":
                inspector.fill({"note-" + key: "Retourtermijn ontbreekt"})
            evidence = inspector.driver.find_elements(By.ID, "evidence-" + key)
            if evidence:
                inspector.fill({"evidence-" + key: "https://%s/voorwaarden" % self.domain})
        inspector.fill({"summary": "Gecontroleerd", "finish": True})
        inspector.submit("/staff/applications/%s/findings" % application)

    # 2. A consumer clicks the seal, checks the shop and complains ------------------------------------------

    def complaint(self):
        t, consumer = self.t, self.browser("complaint")
        try:
            consumer.visit(self.shop_page)
            seal = consumer.driver.find_element(By.CSS_SELECTOR, "footer a img")
            expect(consumer.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", seal), "the seal image loads on the shop's site")
            consumer.shot("shop-site", guide="shop-site.png")
            consumer.navigate(seal.click)
            expect(consumer.path().startswith("/shops/"), "the seal leads to the verification page, not %s" % consumer.path())
            consumer.see(self.slug_name)
            consumer.see(self.domain)
            consumer.shot("verification", guide="verification.png")
            self.verification = consumer.driver.current_url.split("?")[0]
            consumer.click_link(href="/complaints/new")
            consumer.shot("complaint-form", guide="complaint-form.png")
            # Keyboard only: Tab to each field, type, and press Enter on the button.
            consumer.driver.find_element(By.TAG_NAME, "body").click()
            for field, value in (("f-orderNumber", "A-1001"), ("f-description", "Mijn fiets is na drie weken nog niet geleverd."),
                                 ("f-wish", "Levering of mijn geld terug."), ("f-consumerName", "Kees Klant"), ("f-consumerEmail", self.consumer)):
                consumer.tab_to(field)
                consumer.keyboard(value)
            consumer.fill({"f-contactedShopOn": self.world.server.today(-7).isoformat()})
            button = consumer.driver.find_element(By.CSS_SELECTOR, "form[action='/complaints/new'] button[type=submit]")
            for _ in range(60):
                if consumer.focused() == button:
                    break
                consumer.keyboard(Keys.TAB)
            expect(consumer.focused() == button, "the keyboard reaches the complaint form's button")
            consumer.navigate(lambda: consumer.keyboard(Keys.ENTER))
            consumer.shot("complaint-sent")
            link = self.world.mail.link(self.world.mail.wait(self.consumer), "/complaints/confirm/")
            consumer.visit(link)
            consumer.shot("confirm")
            consumer.submit()
            consumer.shot("complaint-confirmed")
            self.complaint_page = consumer.driver.current_url
            consumer.close()
        except Exception:
            consumer.close()
            raise

    # 3. The owner answers; 4. the mediator closes -------------------------------------------------------

    def answer(self):
        owner = self.browser("answer")
        try:
            owner.login(self.base, self.owner, PASSWORD)
            owner.visit(self.base + "/portal/complaints")
            owner.shot("portal-complaints")
            owner.click_link(xpath="//main//a[contains(@href, '/portal/complaints/')]")
            owner.fill({"answer-body": "Excuses! De fiets is vandaag verzonden; u krijgt de verzendkosten terug."})
            owner.submit(button="//form[contains(@action, '/answer')]//button[@type='submit']")
            owner.shot("answered", guide="portal-complaint.png")
            owner.see("Excuses!")
        finally:
            owner.close()

    def close_complaint(self):
        mediator = self.staff("mediator", "mediation")
        try:
            mediator.visit(self.base + "/staff/complaints")
            mediator.shot("desk")
            mediator.click_link(xpath="//main//tr[contains(., '%s')]//a[contains(@href, '/staff/complaints/')]" % self.slug_name)
            mediator.shot("complaint", guide="complaint-desk.png")
            # Mediation first where the rules ask for it, then resolved.
            for _ in range(3):
                steps = [e.get_attribute("value") for e in mediator.driver.find_elements(By.CSS_SELECTOR, "input[name=to]")]
                closing = next((s for s in ("resolved", "closed") if s in steps), None)
                step = closing or ("mediation" if "mediation" in steps else None)
                expect(step, "the mediator can take the complaint further; the steps offered are %s" % steps)
                mediator.driver.execute_script("document.getElementById('step-%s').click()" % step)
                mediator.fill({"step-reason": "De consument heeft de fiets ontvangen." if closing else "Wij bemiddelen."})
                mediator.submit(button="//form[contains(@action, '/steps')]//button[@type='submit']")
                if closing:
                    break
            mediator.shot("closed")
            mediator.see(self.t("complaint_state_" + closing))
        finally:
            mediator.close()

    # 5. A buyer rates the shop from an invitation mail ------------------------------------------------

    def rating(self):
        owner = self.browser("rating")
        try:
            owner.login(self.base, self.owner, PASSWORD)
            owner.visit(self.base + "/portal/reviews")
            owner.shot("portal-reviews")
            fields = [e.get_attribute("id") for e in owner.driver.find_elements(By.CSS_SELECTOR, "form[action='/portal/reviews/invitations'] [id^='f-']")]
            values = {"f-email": self.buyer, "f-name": "Bo Koper", "f-orderReference": "A-2002", "f-orderDate": self.world.server.today(-3).isoformat(), "f-delayDays": "0", "f-language": self.lang}
            owner.fill({k: v for k, v in values.items() if k in fields})
            owner.submit("/portal/reviews/invitations")
            owner.shot("invited")
        finally:
            owner.close()
        self.world.server.advance("PT1H")
        buyer = self.browser("rating")
        try:
            buyer.visit(self.world.mail.link(self.world.mail.wait(self.buyer, timeout=60), "/reviews/rate/"))
            buyer.shot("rate-form", guide="rating-form.png")
            for select in buyer.driver.find_elements(By.CSS_SELECTOR, "form select[required]"):
                buyer.driver.execute_script("const best = Array.from(arguments[0].options).map(o => o.value).filter(v => v !== '').sort((a, b) => b - a)[0];"
                                            "arguments[0].value = best", select)
            texts = buyer.driver.find_elements(By.CSS_SELECTOR, "form textarea")
            if texts:
                texts[0].send_keys("Snel geleverd en vriendelijk geholpen.")
            buyer.submit()
            buyer.shot("rated")
            buyer.visit(self.verification)
            buyer.see_within("5.0 / 5", CACHE_SECONDS + 5)
            buyer.shot("verification-rated")
            buyer.click_link(xpath="//main//a[contains(@href, '/reviews') and not(contains(@href, 'how-we-verify'))]")
            buyer.see(self.t("review_origin_invited"))
            buyer.shot("reviews")
        finally:
            buyer.close()

    # 6. The administrator suspends the shop: the seal shows it within the cache window ---------------

    def suspension(self):
        admin = self.staff("admin", "suspension")
        try:
            admin.visit(self.base + "/staff/sanctions")
            admin.click_link(href="/staff/sanctions/new")
            admin.fill({"shop": self.domain, "kind": "suspension", "until": self.world.server.today(20).isoformat(), "reason": "Herhaaldelijk niet geleverd."})
            admin.shot("sanction-form", guide="sanction-form.png")
            admin.submit("/staff/sanctions")
            admin.shot("sanction")
            started = time.time()
            seal_text = ""
            while time.time() - started < CACHE_SECONDS + 10:
                admin.driver.get(self.shop_page)
                seal_text = self.seal_title(admin)
                if self.seal_words()("seal_suspended") in seal_text:
                    break
                time.sleep(1)
            expect(self.seal_words()("seal_suspended") in seal_text, "the seal on the shop's site shows the suspension within %d s; it says %r" % (CACHE_SECONDS, seal_text))
            self.world.report.journeys.append("%s seal suspended after %.1f s" % (self.tag, time.time() - started))
            admin.shot("shop-site-suspended")
            admin.visit(self.verification)
            admin.shot("verification-suspended", guide="verification-suspended.png")
            # The administrator's own pages at the end of the day: the dashboard's charts, the work under way.
            admin.visit(self.base + "/staff")
            admin.shot("dashboard", guide="dashboard.png")

        finally:
            admin.close()

    def run(self):
        for step in (self.membership, self.complaint, self.answer, self.close_complaint, self.rating, self.suspension):
            started = time.time()
            step()
            self.world.report.journeys.append("%s %s (%.1f s)" % (self.tag, step.__name__, time.time() - started))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--guide", action="store_true", help="also renew the operator guide's pictures in docs/images/")
    args = parser.parse_args()
    if args.guide:
        os.environ["E2E_GUIDE"] = "1"
    stories = [s for s in STORIES if not args.only or "%s-%s" % s in args.only.split(",")]
    report = Report()
    work = tempfile.mkdtemp(prefix="trustmark-e2e-")
    world = World(work, report)
    failures = []
    try:
        first_start(world)
        for lang, size in stories:
            try:
                Story(world, lang, size).run()
            except Exception as error:
                failures.append("%s-%s: %s" % (lang, size, error))
                traceback.print_exc()
    finally:
        world.stop()
    print("journeys: %d passed" % len(report.journeys))
    for line in report.journeys:
        print("  " + line)
    print("pages checked with axe-core and the keyboard: %d distinct, %d checks" % (len(report.pages), report.checks))
    print("screenshots: %d in e2e/screenshots/" % len(report.screenshots))
    for problem in report.problems:
        print("ACCESSIBILITY " + problem)
    for failure in failures:
        print("FAILED " + failure)
    if failures or report.problems:
        print("server log: %s" % os.path.join(work, "server.log"))
        sys.exit(1)


if __name__ == "__main__":
    main()
