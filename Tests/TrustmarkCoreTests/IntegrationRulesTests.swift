import Foundation
import Testing
import TrustmarkCore

@Suite("API key limits and webhook signatures")
struct IntegrationRulesTests {
    @Test func aBucketAllowsItsBurstThenOneRequestPerShareOfTheMinute() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var bucket = RequestBucket(capacity: 3, now: start)
        #expect((0..<3).map { _ in bucket.take(capacity: 3, perMinute: 3, now: start) } == [nil, nil, nil])
        // Three a minute: the next token is 20 s away.
        #expect(bucket.take(capacity: 3, perMinute: 3, now: start) == 20)
        #expect(bucket.take(capacity: 3, perMinute: 3, now: start.addingTimeInterval(15)) == 5)
        #expect(bucket.take(capacity: 3, perMinute: 3, now: start.addingTimeInterval(20)) == nil)
        // A long pause fills it to its capacity, no further.
        let later = start.addingTimeInterval(3600)
        #expect((0..<4).map { _ in bucket.take(capacity: 3, perMinute: 3, now: later) } == [nil, nil, nil, 20])
    }

    @Test func aSignatureHoldsForItsBodySecretAndTime() throws {
        let body = Data(#"{"type":"review.published"}"#.utf8)
        let header = WebhookSignature.sign(body: body, secret: "whsec_abc", timestamp: 1_800_000_000)
        #expect(header.hasPrefix("t=1800000000,v1="))
        let now = Date(timeIntervalSince1970: 1_800_000_100)
        try WebhookSignature.verify(header: header, body: body, secret: "whsec_abc", now: now)
        #expect(throws: WebhookSignature.Failure.badSignature) { try WebhookSignature.verify(header: header, body: body, secret: "whsec_abd", now: now) }
        #expect(throws: WebhookSignature.Failure.badSignature) { try WebhookSignature.verify(header: header, body: body + Data("x".utf8), secret: "whsec_abc", now: now) }
        #expect(throws: WebhookSignature.Failure.tooOld) {
            try WebhookSignature.verify(header: header, body: body, secret: "whsec_abc", now: now.addingTimeInterval(600))
        }
        #expect(throws: WebhookSignature.Failure.malformed) { try WebhookSignature.verify(header: "v1=abc", body: body, secret: "whsec_abc", now: now) }
        // The documented recipe, as Python's hmac module computes it: HMAC-SHA256 over "<t>.<body>".
        #expect(WebhookSignature.mac(body: Data("{}".utf8), secret: "key", timestamp: 1) == "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224")
    }

    @Test func scopesAndKeysKeepTheirShape() {
        #expect(APIScope.parse(APIScope.joined([.reviewsRead, .invitations])) == [.invitations, .reviewsRead])
        #expect(APIScope.parse("invitations,bogus") == [.invitations])
        let key = APIKeyFormat.generate()
        #expect(APIKeyFormat.isKey(key) && key.count == 47)
        #expect(APIKeyFormat.hint(key).count == 13)
    }
}
