import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct TaskDTO: Codable, Sendable {
    let id: UUID
    /// `phone_shop`, `meeting`, `return_online`.
    let kind: String
    let kindText: String
    let shop: String?
    let slug: String?
    let subjectType: String
    let subjectID: String
    let dueOn: String
    let dueText: String
    let overdue: Bool
    let doneAt: Date?
    let note: String?
}

struct TaskDoneRequest: Codable, Sendable {
    var note: String?
}

struct TasksPage: Encodable, Sendable {
    let chrome: PageChrome
    let tasks: [TaskDTO]
    let hasTasks: Bool
    let error: String?
}

/// The staff's to-do list: what the system asks people to do (phone a shop, hold a meeting, decide
/// on a shop's return), oldest due first, each closed with a note that goes into the record.
struct StaffTasksService: Sendable {
    let desk: MembershipDesk

    func open(locale: AppLocale) async throws -> [TaskDTO] {
        let db = desk.storage.db
        let tasks = try await StaffTask.query(on: db).filter(\.$doneAt == nil).sort(\.$dueOn).sort(\.$createdAt).all()
        let shopIDs = Set(tasks.compactMap(\.shopID))
        let shops = shopIDs.isEmpty ? [:] : Dictionary(try await Shop.query(on: db).filter(\.$id ~~ shopIDs).all().compactMap { shop in shop.id.map { ($0, shop) } },
                                                       uniquingKeysWith: { first, _ in first })
        return try tasks.map { try dto($0, shop: $0.shopID.flatMap { shops[$0] }, locale: locale) }
    }

    private func dto(_ task: StaffTask, shop: Shop?, locale: AppLocale) throws -> TaskDTO {
        TaskDTO(id: try task.requireID(), kind: task.kind, kindText: desk.localizer.text("task_\(task.kind)", locale), shop: shop?.name, slug: shop?.slug,
                subjectType: task.subjectType, subjectID: task.subjectID, dueOn: task.dueOn, dueText: desk.dayText(task.dueOn, locale) ?? task.dueOn,
                overdue: task.doneAt == nil && (Day(task.dueOn).map { $0 < desk.today } ?? false), doneAt: task.doneAt, note: task.note)
    }

    func done(_ rawID: String?, _ request: TaskDoneRequest, staff: Identity, locale: AppLocale) async throws -> TaskDTO {
        guard let id = rawID.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        let note = request.note?.trimmingWhitespace() ?? ""
        guard !note.isEmpty else { throw AppError.invalid("note", "task_note_required") }
        guard note.count <= 2_000 else { throw AppError.invalid("note", "validation_too_long", ["max": "2000"]) }
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            guard let task = try await StaffTask.find(id, on: db) else { throw AppError.notFound }
            guard task.doneAt == nil else { throw AppError.conflict("task_done", "task_already_done") }
            task.doneAt = now
            task.doneBy = staff.userID
            task.note = note
            try await task.save(on: db)
            try await Record.append(on: db, at: now, actor: Record.Actor(staff), action: "task.done", subjectType: task.subjectType, subjectID: task.subjectID,
                                    after: ["task": task.kind, "note": note])
            var shop: Shop?
            if let shopID = task.shopID { shop = try await Shop.find(shopID, on: db) }
            return try dto(task, shop: shop, locale: locale)
        }
    }
}

/// `/staff/tasks` and `/api/v1/tasks`.
struct TasksController: Sendable {
    let tasks: StaffTasksService
    let renderer: Renderer

    func register(on routes: RouteTable) {
        routes.get("/api/v1/tasks", .roles([.admin, .mediator]), api: APIDoc("Open staff tasks (phone a shop, a meeting, a shop's return online), due first",
                                                                           tag: "tasks", response: "TaskList")) { _, context in
            JSONBody.response(ListDTO(all: try await tasks.open(locale: context.locale)))
        }
        routes.post("/api/v1/tasks/{id}/done", .roles([.admin, .mediator]), api: APIDoc("Mark a task done, with a note of what was done", tag: "tasks",
                                                                                      request: "TaskDoneRequest", response: "Task", errors: [404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(TaskDoneRequest.self, from: request, context: context)
            return JSONBody.response(try await tasks.done(context.parameters.get("id"), body, staff: try context.requireIdentity(), locale: context.locale))
        }
        routes.get("/staff/tasks", .roles([.admin, .mediator])) { _, context in try await page(context) }
        routes.post("/staff/tasks/{id}/done", .roles([.admin, .mediator])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                _ = try await tasks.done(context.parameters.get("id"), TaskDoneRequest(note: input.fields["note"]), staff: try context.requireIdentity(), locale: context.locale)
                return .seeOther("/staff/tasks")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await page(context, error: refusal.text, status: refusal.status)
            }
        }
    }

    private func page(_ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let open = try await tasks.open(locale: context.locale)
        let page = TasksPage(chrome: renderer.chrome(context, titleKey: "tasks_title", path: "/staff/tasks"), tasks: open, hasTasks: !open.isEmpty, error: error)
        return renderer.render("tasks/list", page, context: context, status: status)
    }
}
