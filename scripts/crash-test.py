#!/usr/bin/env python3
"""Kills the server with SIGKILL in the middle of a write load, many times, and checks that nothing
it acknowledged was lost and nothing half-written is visible.

Each round starts the server on a SQLite file (the demo data the first time), lets writers post
applications, complaints and reviews through the public API from several threads, and kills the
process at a random moment. Every 2xx answer's id is remembered. After the last round the database
is opened directly: every acknowledged id must be there, every application whole (organisation,
registration, contact account, shops with domains), the file must pass SQLite's integrity check,
and `trustmark audit-log verify` must pass. Loopback only; bounded by ROUNDS and the time per round.

    crash-test.py BINARY ROUNDS
"""
import http.client, json, os, random, signal, sqlite3, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request, uuid

binary, rounds = sys.argv[1], int(sys.argv[2])
port = int(os.environ.get("CRASH_PORT", "18191"))
base = f"http://127.0.0.1:{port}"
work = tempfile.mkdtemp(prefix="trustmark-crash.")
database = os.path.join(work, "trustmark.sqlite")
environment = dict(os.environ, TRUSTMARK_DATA=work, TRUSTMARK_PORT=str(port), DATABASE_URL=f"sqlite://{database}",
                   TRUSTMARK_BASE_URL=base, LOG_LEVEL="error", TRUSTMARK_SITE_CHECKER="off")
random.seed(int(os.environ.get("CRASH_SEED", "7")))


def start(first):
    arguments = [binary, "serve"] + (["--demo"] if first else [])
    process = subprocess.Popen(arguments, env=environment, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "a"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"crash-test: the server stopped on its own (exit {process.returncode}); see {work}/server.log")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit("crash-test: the server did not answer /healthz")


def post(path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return None, None  # the server died under the request: not acknowledged


acknowledged = {"applications": set(), "complaints": set(), "reviews": set()}
lock = threading.Lock()
refused = [0]


def writer(stop, shops, version, criteria, number):
    sequence = 0
    while not stop.is_set():
        sequence += 1
        tag = f"{number}-{sequence}-{uuid.uuid4().hex[:8]}"
        kind = random.choice(["applications", "complaints", "reviews"])
        if kind == "applications":
            domain = f"crash-{tag}.example"
            status, body = post("/api/v1/applications", {
                "organisation": {"legalName": f"Crash {tag} B.V.", "kvk": "12345678", "vatNumber": "NL123456782B01", "street": "Markt 1",
                                 "postcode": "1234 AB", "city": "Utrecht", "country": "NL", "phone": "+31 30 123 4567", "email": f"info@{domain}"},
                "contact": {"name": "Eva", "email": f"eva@{domain}"}, "shops": [{"name": f"Crash {tag}", "domains": [domain]}],
                "codeOfConductVersion": version, "acceptCodeOfConduct": True})
            key = (body or {}).get("application", {}).get("id")
        elif kind == "complaints":
            status, body = post("/api/v1/complaints", {
                "shop": random.choice(shops), "consumerName": "Joost", "consumerEmail": f"joost-{tag}@consument.example", "consumerCountry": "NL",
                "language": "nl", "orderNumber": tag, "orderDate": "2026-01-05", "contactedShopOn": "2026-01-06", "contactChannel": "email",
                "description": "De bestelling kwam niet aan.", "wish": "Mijn geld terug."})
            key = (body or {}).get("id")
        else:
            status, body = post("/api/v1/reviews", {"shop": random.choice(shops), "name": "Karin", "email": f"karin-{tag}@koper.example",
                                                    "scores": {c: random.randint(1, 5) for c in criteria}, "overall": random.randint(1, 5)})
            key = (body or {}).get("id")
        if status is not None and 200 <= status < 300 and key:
            with lock:
                acknowledged[kind].add(key.upper())
        elif status is not None and status >= 400:
            refused[0] += 1


def fetch(path):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.loads(response.read())


server = start(first=True)
scheme = fetch("/api/v1/scheme")
version = scheme["codeOfConductVersion"]
slugs = [item["slug"] for item in fetch("/api/v1/shops?size=50")["items"]]
shops = [domain for slug in slugs for domain in fetch(f"/api/v1/shops/{slug}").get("domains", [])[:1]]
if not shops:
    server.kill()
    sys.exit("crash-test: the demo has no member shops to complain about")
criteria = [c["id"] for c in fetch(f"/api/v1/shops/{slugs[0]}/reviews").get("criteria", [])] or ["service"]
kills = 0
for round_number in range(rounds):
    if round_number > 0:
        server = start(first=False)
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(stop, shops, version, criteria, n)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(0.4, 1.6))
    server.send_signal(signal.SIGKILL)
    server.wait()
    kills += 1
    stop.set()
    for thread in threads:
        thread.join()

# The last word: the file as a restarted server would find it.
server = start(first=False)
server.send_signal(signal.SIGTERM)
server.wait()
connection = sqlite3.connect(database)
violations = []
found = 0
for table, ids in acknowledged.items():
    present = {row[0].upper() for row in connection.execute(f"SELECT id FROM {table}")}
    missing = ids - present
    found += len(ids) - len(missing)
    violations += [f"{table} {key} was acknowledged but is missing" for key in sorted(missing)]
checks = {
    "applications without a registration": "SELECT COUNT(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.organisation_id = a.organisation_id)",
    "applications without shops": "SELECT COUNT(*) FROM applications a WHERE a.kind = 'membership' AND NOT EXISTS (SELECT 1 FROM shops s WHERE s.application_id = a.id)",
    "shops without a domain": "SELECT COUNT(*) FROM shops s WHERE NOT EXISTS (SELECT 1 FROM shop_domains d WHERE d.shop_id = s.id)",
    "organisations without a contact account": "SELECT COUNT(*) FROM registrations r WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = r.contact_email)",
    "complaints without their confirmation mail": "SELECT COUNT(*) FROM complaints c WHERE c.state = 'unconfirmed' AND NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.recipient = c.consumer_email)",
}
for name, query in checks.items():
    count = connection.execute(query).fetchone()[0]
    if count:
        violations.append(f"{count} {name}")
integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
if integrity != "ok":
    violations.append(f"integrity check: {integrity}")
connection.close()
verify = subprocess.run([binary, "audit-log", "verify"], env=environment, capture_output=True, text=True)
if verify.returncode != 0:
    violations.append("audit-log verify: " + (verify.stderr or verify.stdout).strip().splitlines()[-1])

total = sum(len(ids) for ids in acknowledged.values())
print(f"kills: {kills}, writes acknowledged: {total} ({', '.join(f'{k} {len(v)}' for k, v in acknowledged.items())}), "
      f"writes found: {found}, refused (4xx): {refused[0]}, violations: {len(violations)}")
print("audit-log verify: " + (verify.stdout.strip().splitlines() or ["-"])[-1])
for violation in violations[:20]:
    print("  " + violation)
if total == 0:
    violations.append("no write was acknowledged: the load did not reach the server")
    print("crash-test: no write was acknowledged")
subprocess.run(["rm", "-rf", work])
sys.exit(1 if violations else 0)
