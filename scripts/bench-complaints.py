#!/usr/bin/env python3
"""Complaint intake to forwarded mail, end to end, against a running server with an SMTP sink.

For each of N complaints about a random member shop (from the generator's slugs file): file it through
POST /api/v1/complaints, wait for the confirmation mail in the sink, confirm with the token from it,
and wait for the mail that forwards the complaint to the shop. Prints the times from the first POST
to the forwarded mail's arrival. Loopback only; bounded by N and a 30 s wait per mail.

    bench-complaints.py BASE_URL SINK_DIR SLUGS_FILE N
"""
import datetime, glob, json, os, random, re, sys, time, urllib.request

base, sink, slugs_file, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
hosts = [line.split()[1] for line in open(slugs_file) if len(line.split()) == 2]
random.seed(42)
seen = set()


def post(path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_for(match):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for path in sorted(glob.glob(os.path.join(sink, "*.json"))):
            if path in seen:
                continue
            try:
                mail = json.load(open(path, encoding="utf-8"))
            except (ValueError, OSError):
                continue  # still being written
            if match(mail):
                seen.add(path)
                return mail
        time.sleep(0.002)
    raise SystemExit("bench-complaints: a mail did not arrive within 30 s")


contacted = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
times = []
for index in range(count):
    email = "bench%d@consumer.example" % index
    begin = time.monotonic()
    # Some generated shops are not members yet (their first term starts later): such a complaint is
    # refused, rightly, and the complaint goes to another shop.
    for attempt in range(20):
        status, body = post("/api/v1/complaints", {
            "shop": random.choice(hosts), "consumerName": "Bench Consumer %d" % index, "consumerEmail": email, "consumerCountry": "NL",
            "language": "nl", "orderNumber": "B-%d" % index, "contactedShopOn": contacted, "contactChannel": "email",
            "description": "Het pakket kwam niet aan."})
        if status != 422 or body.get("error", {}).get("code") != "complaint_not_member":
            break
        begin = time.monotonic()
    if status != 202:
        raise SystemExit("bench-complaints: filing answered %d %s" % (status, body))
    mail = wait_for(lambda m: email in m["to"])
    token = re.search(r"/complaints/confirm/(\S+)", mail["text"]).group(1)
    status, body = post("/api/v1/complaints/confirmations", {"token": token})
    if status != 200:
        raise SystemExit("bench-complaints: confirmation answered %d %s" % (status, body))
    reference = body["reference"]
    wait_for(lambda m: reference in m["subject"] and email not in m["to"])
    times.append((time.monotonic() - begin) * 1000)

times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print("%d complaints, filed, confirmed and forwarded one after another: p50 %.0f ms, p95 %.0f ms, max %.0f ms"
      % (len(times), pick(0.5), pick(0.95), times[-1]))
