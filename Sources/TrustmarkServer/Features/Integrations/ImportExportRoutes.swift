import Foundation
import Hummingbird
import TrustmarkCore

/// The member list in and the organisation's reports out: `/api/v1/imports/members`,
/// `/api/v1/exports/{kind}`, and for people `/staff/import-export`. Administrators only: the files
/// hold every member's registration.
struct ImportExportRoutes: Sendable {
    let importer: MemberImporter
    let exporter: Exporter
    let progress: WorkProgress
    let renderer: Renderer

    struct Page: Encodable, Sendable {
        let chrome: PageChrome
        let report: MemberImportReport?
        let hasRefusals: Bool
        let refusedCount: Int
        /// The encoding and separator the file was read with, in words.
        let readAs: String
        let error: String?
        let exports: [String]
        /// An import under way: its bar, and the page's own address to read it again by hand.
        let progress: [WorkProgress.Item]
        let running: Bool
        let runPath: String
    }

    func register(on routes: RouteTable) {
        routes.post("/api/v1/imports/members", .roles([.admin]), api: APIDoc("Import an existing member list (CSV, one row per shop); dryRun=true checks only",
                                                                          tag: "integrations", request: "text/csv", response: "MemberImportReport", query: ["dryRun"],
                                                                          errors: [413, 415, 422])) { request, context in
            guard ["text/csv", "text/plain", "application/csv"].contains(MIMEReader.mainValue(request.headers[.contentType] ?? "").lowercased()) else {
                throw AppError.unsupportedMediaType
            }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: MemberImporter.maxBytes) } catch { throw AppError.tooLarge }
            let dryRun = request.uri.queryParameters["dryRun"].map { $0 == "true" || $0 == "1" } ?? false
            let identity = try context.requireIdentity()
            return JSONBody.response(try await importer.run(Data(buffer: buffer), dryRun: dryRun, locale: context.locale, actor: Record.Actor(identity)))
        }
        routes.get("/api/v1/exports/{kind}", .roles([.admin]), api: APIDoc("Members, complaints or reviews as CSV for the organisation's own reporting",
                                                                         tag: "integrations", response: "text/csv", errors: [404])) { _, context in
            try await download(context.parameters.get("kind"))
        }
        routes.get("/staff/import-export", .roles([.admin])) { _, context in page(context) }
        routes.get("/staff/exports/{kind}", .roles([.admin])) { _, context in try await download(context.parameters.get("kind")) }
        routes.post("/staff/import-export", .roles([.admin])) { request, context in
            let input = try await MultipartInput.parse(request, context: context, limit: MemberImporter.maxBytes + 64 * 1024)
            guard let file = input.files["file"]?.first else {
                return page(context, error: renderer.localizer.text("import_no_file", context.locale), status: .unprocessableContent)
            }
            // A file that cannot be read is refused at once; a long list takes a while, so the import
            // runs as a job and its page shows how far it got.
            let data = Data(file.data)
            do {
                _ = try importer.read(data)
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return page(context, error: refusal.text, status: refusal.status)
            }
            let run = try await progress.startImport(data, name: file.filename, dryRun: input.form.fields["dryRun"] == "yes",
                                                     locale: context.locale, by: try context.requireIdentity())
            return .seeOther("/staff/import-export/runs/\(run.uuidString)")
        }
        routes.get("/staff/import-export/runs/{id}", .roles([.admin])) { _, context in
            let run = try await progress.run(context.parameters.get("id"))
            if run.finishedAt == nil { return page(context, running: run) }
            if let error = run.error { return page(context, error: error) }
            return page(context, report: progress.report(of: run))
        }
    }

    private func download(_ raw: String?) async throws -> Response {
        guard let kind = raw.flatMap(Exporter.Kind.init(rawValue:)) else { throw AppError.notFound }
        let text = try await exporter.csv(kind)
        // A byte order mark, so spreadsheets read the accents right.
        return Response.download(Array("\u{FEFF}".utf8) + Array(text.utf8), type: "text/csv; charset=utf-8",
                                 name: "\(kind.rawValue)-\(exporter.desk.today.description).csv")
    }

    /// The import page: the form, and a report, a refusal, or an import under way (its bar follows it).
    private func page(_ context: AppRequestContext, report: MemberImportReport? = nil, error: String? = nil, running: WorkRun? = nil,
                      status: HTTPResponse.Status = .ok) -> Response {
        var chrome = renderer.chrome(context, titleKey: "import_title", path: "/staff/import-export")
        chrome.follows = running != nil
        return renderer.render("integrations/import", Page(chrome: chrome, report: report,
                                                           hasRefusals: !(report?.refused.isEmpty ?? true), refusedCount: report?.refused.count ?? 0,
                                                           readAs: report.map { "\($0.encoding) · " + renderer.localizer.text("import_separator_\($0.separator)", context.locale) } ?? "",
                                                           error: error, exports: Exporter.Kind.allCases.map(\.rawValue),
                                                           progress: running.map { [progress.item($0, locale: context.locale)] } ?? [], running: running != nil,
                                                           runPath: running.map { "/staff/import-export/runs/\($0.id?.uuidString ?? "")" } ?? ""),
                               context: context, status: status)
    }
}
