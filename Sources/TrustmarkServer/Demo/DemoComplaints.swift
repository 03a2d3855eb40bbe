import FluentKit
import Foundation
import TrustmarkCore

/// The demo's complaints chapter: complaints at every step of the workflow, filed and handled
/// through the complaint use cases on the story's clock during its last week.
extension DemoData {
    /// What becomes of each demo complaint.
    enum ComplaintFate: CaseIterable {
        case awaitingAnswer, answered, accepted, unanswered, inMediation, referred, ruled, withdrawn, unconfirmed, aboutUs
    }

    /// In the order they are filed: the ones still waiting come last, after the silent shop's
    /// deadline has passed.
    static let complaintCast: [(shop: String, consumer: String, text: String, fate: ComplaintFate)] = [
        ("Theehandel Het Blad", "Fatma Yilmaz", "Ik kreeg groene thee in plaats van de bestelde rooibos.", .answered),
        ("Kinderboeken Uil", "Pieter de Boer", "Het boek is nooit bezorgd.", .accepted),
        ("Tuinwinkel De Hark", "Sanne Visser", "De grasmaaier doet het niet en de webshop reageert niet.", .unanswered),
        ("Kaasmakerij Gouwe", "Mohammed El Amrani", "De kaas was bedorven bij aankomst; de webshop biedt alleen een kortingsbon.", .inMediation),
        ("Zeepziederij Schuim", "Lotte Bakker", "Na herroeping binnen 14 dagen is het geld niet teruggestort.", .referred),
        ("Koffiebranderij Boon", "Daan Smit", "De koffiemachine lekt; reparatie werd geweigerd.", .ruled),
        ("Sokkenfabriek Teen", "Eva Mulder", "Verkeerde maat geleverd.", .withdrawn),
        ("", "Anna Kok", "Mijn klacht over een webshop bleef twee weken onbeantwoord door uw organisatie.", .aboutUs),
        ("Fietsenhuis De Ketting", "Joost Jansen", "De fiets kwam met een krom voorwiel aan. Op mijn mail kreeg ik na een week nog geen antwoord.", .awaitingAnswer),
        ("Kinderboeken Uil", "Noah de Wit", "Dubbel afgeschreven voor één bestelling.", .unconfirmed),
    ]

    /// Runs on a clock of its own over the ten days before `now`, after the membership story.
    func complaintsChapter(now: Date, base: MembershipDesk, admin: Identity) async throws {
        guard base.scheme.complaints != nil else { return }
        // Office hours: the story starts at midday ten days ago.
        let clock = SettableClock(Day(now.addingTimeInterval(-10 * 86400), in: base.timeZone).midday(in: base.timeZone))
        let desk = MembershipDesk(storage: base.storage, clock: clock, active: base.active, outbox: base.outbox, localizer: base.localizer,
                                  baseURL: base.baseURL, calendar: base.calendar, writer: base.writer, logger: base.logger)
        let db = app.storage.db
        let deadlines = DeadlinesService(storage: app.storage, clock: clock, deadlineClock: app.deadlines.deadlineClock)
        let service = ComplaintsService(desk: desk, deadlines: deadlines, files: app.complaints.files, links: app.complaints.links, register: app.register)
        let mediator = try await identity("mediator@demo.trustmark.example")
        for (title, body) in [("Ontvangst", "Wij hebben uw klacht ontvangen en leggen die voor aan de webshop. U hoort binnen enkele werkdagen van ons."),
                              ("Verzoek om bewijs", "Wilt u een foto van het product en uw orderbevestiging meesturen? Dan kunnen wij de klacht beoordelen.")] {
            try await service.addTemplate(title: title, locale: desk.scheme.defaultLanguage, body: body, staff: admin)
        }
        var waited = false
        for (index, story) in Self.complaintCast.enumerated() {
            if !waited, story.fate == .awaitingAnswer {
                // The silent shop's deadline passes: its complaint is marked as unanswered.
                waited = true
                _ = try clock.set(max(clock.now(), now.addingTimeInterval(-2 * 86400)))
                try await passDeadlines(service, clock: clock)
            }
            _ = try clock.set(clock.now().addingTimeInterval(3 * 3600))
            var filing = ComplaintFiling()
            filing.subject = story.fate == .aboutUs ? .trustmark : .shop
            filing.shop = story.shop.isEmpty ? "" : try await domain(of: story.shop)
            filing.consumerName = story.consumer
            filing.consumerEmail = story.consumer.lowercased().replacingOccurrences(of: " ", with: ".") + "@consument.example"
            filing.consumerCountry = desk.scheme.country
            filing.locale = AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback
            filing.orderNumber = "W-\(2026_100 + index)"
            filing.orderDate = desk.today.adding(days: -20).description
            filing.contactedShopOn = desk.today.adding(days: -14).description
            filing.contactChannel = ShopContactChannel.email.rawValue
            filing.description = story.text
            let receipt = try await service.file(filing, source: "form")
            if story.fate == .unconfirmed { continue }
            let mail = try await OutboxMessage.query(on: db).filter(\.$recipient == filing.consumerEmail).filter(\.$kind == "complaint.confirm")
                .sort(\.$createdAt, .descending).first()
            guard let token = mail?.body.components(separatedBy: "/complaints/confirm/").last?.prefix(while: { !$0.isWhitespace }) else { continue }
            let complaint = try await service.confirm(token: String(token))
            let id = receipt.id.uuidString
            let member: Identity? = story.shop.isEmpty ? nil : try await identity(try await contactEmail(of: "\(story.shop) B.V."))
            func answer(_ text: String, proposal: Bool = false) async throws {
                _ = try clock.set(clock.now().addingTimeInterval(5 * 3600))
                if let member { _ = try await service.answer(id, member: member, body: text, proposal: proposal, files: []) }
            }
            func step(_ to: ComplaintState, _ reason: String? = nil, ruling: String? = nil, summary: String? = nil, complied: Bool? = nil) async throws {
                _ = try clock.set(clock.now().addingTimeInterval(3600))
                _ = try await service.mediatorStep(id, staff: mediator, request: .init(to: to.rawValue, reason: reason, rulingOutcome: ruling,
                                                                                        rulingSummary: summary, complied: complied))
            }
            switch story.fate {
            case .answered:
                try await answer("Excuses voor de verwisseling. Wij sturen de rooibos vandaag alsnog, de groene thee mag u houden.", proposal: true)
            case .accepted:
                try await answer("Het pakket bleek zoekgeraakt. Wij hebben een nieuw exemplaar verstuurd met track & trace.")
                _ = try await service.consumerStep(id, to: .resolved, reason: nil)
            case .inMediation:
                try await answer("Wij bieden een kortingsbon van 10 euro.", proposal: true)
                _ = try await service.consumerStep(id, to: .mediation, reason: "Ik wil mijn geld terug, geen bon.")
                try await service.assign(id, staff: mediator, to: mediator.userID)
                try await service.post(id, as: .staff(mediator), body: "Tweede klacht over bederf dit jaar; koelketen navragen.", staffOnly: true)
            case .referred, .ruled:
                try await answer("Het geld wordt teruggestort zodra het product retour is.")
                _ = try await service.consumerStep(id, to: .mediation, reason: "Het product is al drie weken terug.")
                try await step(.unresolved, "De webshop houdt vast aan zijn standpunt.")
                if desk.scheme.complaints?.disputeBody != nil {
                    try await step(.referred)
                    if story.fate == .ruled {
                        try await step(.ruled, ruling: RulingOutcome.forConsumer.rawValue, summary: "De webshop betaalt de koopsom terug.")
                    }
                }
            case .withdrawn:
                _ = try await service.consumerStep(id, to: .closed, reason: "De webshop heeft het toch opgelost.")
            case .awaitingAnswer, .unanswered, .unconfirmed, .aboutUs:
                break
            }
            _ = complaint
        }
    }

    private func passDeadlines(_ service: ComplaintsService, clock: SettableClock) async throws {
        for deadline in try await Deadline.query(on: app.storage.db).filter(\.$subjectType == ComplaintsService.subjectType).filter(\.$closedAt == nil)
            .filter(\.$kind == ComplaintsService.shopAnswerDeadline).filter(\.$dueAt <= clock.now()).all() {
            let context = JobContext(jobID: UUID(), payload: deadline.id?.uuidString ?? "", attempt: 1, storage: app.storage, clock: clock,
                                     logger: service.desk.logger)
            try await service.deadlineActions[deadline.kind]?.due(deadline, context)
        }
    }

    private func domain(of shop: String) async throws -> String {
        guard let row = try await Shop.query(on: app.storage.db).filter(\.$name == shop).with(\.$domains).first() else { throw AppError.notFound }
        return row.domains.first?.domain ?? shop
    }
}
