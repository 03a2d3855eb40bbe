#!/usr/bin/env python3
"""Two Trustmark instances on one PostgreSQL behind nginx, under load. Checks that a session made
through one instance works on the other, that every mail is sent exactly once, that invoice numbers
made on both instances at once stay unique and gap-free, that each daily job is queued once, and
that both instances' seals agree within the cache window after a membership ends.

    cluster-test.py NGINX_URL INSTANCE_A_URL INSTANCE_B_URL SINK_DIR NGINX_ACCESS_LOG APPLICATIONS SEAL_MAX_AGE
"""
import concurrent.futures, glob, http.cookiejar, json, os, re, sys, time, urllib.error, urllib.parse, urllib.request

base, instance_a, instance_b, sink, access_log, applications, max_age = sys.argv[1:8]
applications, max_age = int(applications), int(max_age)
failures = []


def call(method, path, body=None, token=None, url=base):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            return response.status, (json.loads(data) if data and response.headers.get_content_type() == "application/json" else data)
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def token(email):
    status, body = call("POST", "/api/v1/auth/token", {"email": email, "password": "trustmark-demo"})
    if status != 201:
        sys.exit(f"cluster-test: could not sign in {email}: {status} {body}")
    return body["token"]


def check(condition, message):
    print(("  ok    " if condition else "  FAIL  ") + message)
    if not condition:
        failures.append(message)


# 1. A browser's session works on both instances (sessions live in the database).
print("== a signed-in browser, request after request through nginx")
jar = http.cookiejar.CookieJar()
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = browser.open(base + "/login", timeout=10).read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"_csrf": csrf, "email": "admin@demo.trustmark.example", "password": "trustmark-demo"}).encode()
browser.open(urllib.request.Request(base + "/login", data=form), timeout=10).read()
before = open(access_log).read().count("\n")
signed_in = 0
for _ in range(20):
    response = browser.open(base + "/staff", timeout=10)
    body = response.read().decode()
    signed_in += response.geturl().endswith("/staff") and "/logout" in body
served = [line.split()[0] for line in open(access_log).read().splitlines()[before:] if " /staff " in line]
check(signed_in == 20, f"20 of 20 pages signed in ({signed_in}), served by {len(set(served))} instances: {sorted(set(served))}")
check(len(set(served)) == 2, "both instances served the signed-in pages")

admin, inspector, finance = token("admin@demo.trustmark.example"), token("inspector@demo.trustmark.example"), token("finance@demo.trustmark.example")

# 2. Mail: each message goes out once, whichever instance's worker takes it.
print("== password-reset mails requested through both instances at once")
users = [u for u in call("GET", "/api/v1/users?size=100", token=admin)[1]["items"] if u["status"] == "active"][:20]
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(lambda u: call("POST", "/api/v1/auth/password-reset", {"email": u["email"]})[0], users))
check(all(status == 202 for status in answers), f"{len(answers)} reset requests accepted")


def resets():
    counts = {}
    for path in glob.glob(os.path.join(sink, "*.json")):
        try:
            mail = json.load(open(path, encoding="utf-8"))
        except ValueError:
            continue
        if "/password/reset/" in mail.get("text", ""):
            for to in mail["to"]:
                counts[to] = counts.get(to, 0) + 1
    return counts


deadline = time.monotonic() + 60
while time.monotonic() < deadline and len(resets()) < len(users):
    time.sleep(0.5)
time.sleep(3)  # a second delivery of the same message would arrive by now
counts = resets()
check(len(counts) == len(users), f"a reset mail reached each of the {len(users)} users ({len(counts)})")
check(all(n == 1 for n in counts.values()), f"each exactly once (most to one address: {max(counts.values(), default=0)})")

# 3. Invoice numbers: applications approved on both instances at the same time.
print(f"== {applications} applications audited and approved in parallel")
criteria = call("GET", "/api/v1/code-of-conduct")[1]["criteria"]
version = call("GET", "/api/v1/scheme")[1]["codeOfConductVersion"]
inspector_id = next(u["id"] for u in call("GET", "/api/v1/users?size=100", token=admin)[1]["items"] if u["email"] == "inspector@demo.trustmark.example")
stamp = str(int(time.time()))


def approve(number):
    domain = f"cluster-{stamp}-{number}.example"
    status, made = call("POST", "/api/v1/applications", {
        "organisation": {"legalName": f"Cluster {number} B.V.", "kvk": "12345678", "vatNumber": "NL123456782B01", "street": "Markt 1",
                         "postcode": "1234 AB", "city": "Utrecht", "country": "NL", "phone": "+31 30 123 4567", "email": f"info@{domain}"},
        "contact": {"name": "Eva", "email": f"eva@{domain}"}, "shops": [{"name": f"Cluster {number}", "domains": [domain]}],
        "codeOfConductVersion": version, "acceptCodeOfConduct": True})
    if status != 201:
        return f"apply {status} {made}"
    application = made["application"]["id"]
    steps = [("POST", f"/api/v1/applications/{application}/assignment", {"inspectorId": inspector_id}, admin),
             ("POST", f"/api/v1/applications/{application}/declaration", {"conflict": False}, inspector)]
    for method, path, body, who in steps:
        status, answer = call(method, path, body, who)
        if status >= 300:
            return f"{path} {status} {answer}"
    shops = [shop["id"] for shop in call("GET", f"/api/v1/applications/{application}", token=inspector)[1]["shops"]]
    findings = [dict({"shopId": shop, "criterion": c["id"], "result": "pass"}, **({"evidenceUrl": "https://example.org/terms"} if c["kind"] == "evidence_url" else {}))
                for shop in shops for c in criteria]
    for method, path, body, who in [("POST", f"/api/v1/applications/{application}/findings", {"findings": findings}, inspector),
                                    ("POST", f"/api/v1/applications/{application}/report", {"summary": "Checked"}, inspector),
                                    ("POST", f"/api/v1/applications/{application}/decision", {"decision": "approve", "note": ""}, admin)]:
        status, answer = call(method, path, body, who)
        if status >= 300:
            return f"{path} {status} {answer}"
    return None


with concurrent.futures.ThreadPoolExecutor(6) as pool:
    problems = [p for p in pool.map(approve, range(applications)) if p]
check(not problems, f"{applications} applications approved" + (f"; first problem: {problems[0]}" if problems else ""))
numbers, page = [], 1
while True:
    status, listed = call("GET", f"/api/v1/invoices?size=100&page={page}", token=finance)
    numbers += [item["number"] for item in listed["items"]]
    if page >= listed["pageCount"]:
        break
    page += 1
by_year = {}
for number in numbers:
    year, sequence = number.split("-")
    by_year.setdefault(year, []).append(int(sequence))
for year, sequences in sorted(by_year.items()):
    check(len(sequences) == len(set(sequences)), f"invoice numbers of {year} unique ({len(sequences)})")
    check(sorted(sequences) == list(range(1, max(sequences) + 1)), f"invoice numbers of {year} without gaps (1..{max(sequences)})")

# 4. Each recurring job is queued once, though both instances schedule it.
queued = call("GET", "/api/v1/jobs?status=queued", token=admin)[1]["items"]
recurring = [job["kind"] for job in queued if job["kind"].endswith(".daily") or job["kind"] == "maintenance.cleanup"]
check(len(recurring) == len(set(recurring)) and recurring, f"each daily job queued once: {sorted(recurring)}")
failed = [job for job in call("GET", "/api/v1/jobs?status=failed", token=admin)[1]["items"] if job["kind"] in ("mail.deliver", "webhooks.deliver")]
check(not failed, f"no mail delivery failed ({len(failed)})")

# 5. The seal on both instances after a membership ends, within the cache window.
print("== a membership ends on one instance; both instances' seals follow")
approved = call("GET", "/api/v1/applications?state=approved&size=100", token=admin)[1]["items"]
target = next(a for a in approved if a.get("membershipId") and a["shops"] and a["shops"][0]["domains"] and not a["organisation"].startswith("Cluster"))
slug = call("GET", "/api/v1/shops?domain=" + target["shops"][0]["domains"][0])[1]["slug"]


def seal(url):
    with urllib.request.urlopen(f"{url}/seal/{slug}.svg", timeout=10) as response:
        return response.read()


old = seal(instance_a)
check(old == seal(instance_b), "both instances show the same seal before")
status, _ = call("POST", f"/api/v1/memberships/{target['membershipId']}/bankruptcy", token=admin)
check(status == 204, f"membership of {target['organisation']} ended ({status})")
start = time.monotonic()
while time.monotonic() - start < max_age + 15:
    a, b = seal(instance_a), seal(instance_b)
    if a != old and b != old and a == b:
        break
    time.sleep(0.25)
took = time.monotonic() - start
check(a != old and a == b, f"both seals changed and agree after {took:.1f} s (cache window {max_age} s)")
check(took <= max_age + 3, f"within the window and the 2 s poll ({took:.1f} s <= {max_age + 3} s)")

print(f"cluster-test: {len(failures)} failures")
sys.exit(1 if failures else 0)
