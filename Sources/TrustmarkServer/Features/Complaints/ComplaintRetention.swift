import FluentKit
import Foundation
import TrustmarkCore

/// The scheme's `complaints.retention`: a complaint finished longer ago than that loses the
/// consumer's name, address, order number, texts and files; its reference, shop, dates, states and
/// outcome stay, so figures and the record still add up. Run by the nightly complaints job.
extension ComplaintsService {
    static let erasedText = "[erased after the retention period]"
    static let erasedAddress = "erased@erased.invalid"

    @discardableResult
    func eraseExpired() async throws -> Int {
        guard let retention = desk.scheme.complaints?.retention else { return 0 }
        let now = desk.clock.now()
        let cutoff = desk.windowStart(retention, now: now)
        let db = desk.storage.db
        let expired = try await Complaint.query(on: db).filter(\.$finishedAt < cutoff).filter(\.$consumerEmail != Self.erasedAddress).all()
        for complaint in expired {
            let id = try complaint.requireID()
            try await db.transaction { db in
                complaint.consumerName = PrivacyService.erasedName
                complaint.consumerEmail = Self.erasedAddress
                complaint.orderNumber = nil
                complaint.text = Self.erasedText
                complaint.wish = nil
                complaint.updatedAt = now
                try await complaint.save(on: db)
                try await ComplaintMessage.query(on: db).filter(\.$complaint.$id == id).set(\.$body, to: Self.erasedText).update()
                try await ComplaintMessage.query(on: db).filter(\.$complaint.$id == id).filter(\.$party == "consumer").set(\.$authorName, to: PrivacyService.erasedName).update()
                try await ComplaintAttachment.query(on: db).filter(\.$complaint.$id == id).delete()
                try await Record.append(on: db, at: now, actor: .system, action: "complaint.retention_erased", subjectType: Self.subjectType,
                                        subjectID: id.uuidString, after: ["reference": complaint.reference ?? "", "retention": retention.description])
            }
            // The files go once the rows are gone; a file left by a crash here is only unreachable.
            files.removeAll(complaint: id)
        }
        return expired.count
    }
}
