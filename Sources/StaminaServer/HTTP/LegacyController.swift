import Foundation
import Hummingbird
import OrderedJSON

/// The first STAMINA server's endpoints, kept byte for byte where the design note says so. The
/// caller is identified by its address; a job id is the credential, as it was.
struct LegacyController: Sendable {
    let service: JobService
    let tokens: TokenAuthority
    let configuration: ServerConfiguration
    let trustedProxies: Set<String>
    /// The legacy job object, rendered once per row version (see `legacyDocument`).
    let documents = JobDocumentCache()

    func register(on router: some RouterMethods<StaminaRequestContext>) {
        router.post("jobs") { request, context in try await self.postJobs(request, context) }
        router.get("jobs") { request, _ in try await self.allJobs(request) }
        router.delete("jobs") { request, context in try await self.deleteJob(request, context) }
        router.get("myjobs") { request, context in try await self.myJobs(request, context) }
        router.delete("myjobs") { request, context in try await self.deleteMyJobs(request, context) }
        router.post("checkjob") { request, context in try await self.checkJob(request, context) }
        router.post("kill") { request, context in try await self.kill(request, context) }
        router.post("rename") { request, context in try await self.rename(request, context) }
        router.get("about") { _, _ in Reply.text(AboutText.legacy(configuration: self.configuration)) }
        router.get("egg") { _, _ in Reply.text("Egg! The STAMINA server is up.\n") }
        router.get("qapla") { _, _ in Reply.text("Qapla'! The STAMINA server is up.\n") }
    }

    // MARK: endpoints

    private func postJobs(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let body = try await BodyLimit.collect(request, limit: BodyLimit.submission(configuration))
        let form = try SubmissionForm.parse(
            body: body, contentType: request.headers[.contentType], maxFileBytes: configuration.maxUploadBytes)
        if let id = form.field("id"), form.field("create") == nil {
            let job = try await lookup(id, try await caller(request, context))
            return Reply.json(rendered: try await legacyDocument(job))
        }
        let fromWeb = form.field("from_web") != nil
        guard form.field("create") != nil else {
            throw APIError.badRequest("send 'create' to create a job or 'id' to look one up")
        }
        let owner = Caller.addressOwner(address(request, context))
        do {
            let job = try await service.submit(try form.submission(owner: owner, readsName: false))
            if fromWeb {
                let prefix = configuration.pathPrefix
                let viaPrefix = !prefix.isEmpty && request.uri.path.hasPrefix(prefix + "/")
                return Reply.html(redirectPage(id: job.id, prefix: viaPrefix ? prefix : ""), status: .created)
            }
            return Reply.json(["id": job.id, "status": "Created"], status: .created)
        } catch {
            if fromWeb { throw WebFormRefusal(reason: error) }
            throw error
        }
    }

    private func allJobs(_ request: Request) async throws -> Response {
        guard let principal = try await tokens.principal(request) else {
            throw APIError.unauthorized("listing all jobs needs the admin token")
        }
        guard principal.isAdmin else { throw APIError.forbidden("listing all jobs needs the admin token") }
        var rendered: [JSONText] = []
        for job in try await service.allJobs() {
            rendered.append(legacyText(job, log: try await service.plainLog(job)))
        }
        return Reply.json(.array(rendered))
    }

    private func deleteJob(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let job = try await lookup(try await rawID(request), try await caller(request, context))
        try await service.delete(job)
        return Reply.text("Success")
    }

    private func myJobs(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        // Polled by every open web page: each job's rendering is cached per row version, as the
        // `/v1` read does; oldest first, as the first server listed them.
        let address = address(request, context)
        var body = ByteBuffer(string: "[")
        var first = true
        for job in try await service.polledJobs(owner: Caller.addressOwner(address), limit: 1000) {
            if !first { body.writeStaticString(",") }
            first = false
            var document = try await legacyDocument(job)
            body.writeBuffer(&document)
        }
        if first {
            return Reply.json(["error": "This IP (\(address)) has no active jobs"], status: .badRequest)
        }
        body.writeStaticString("]")
        return Reply.json(rendered: body)
    }

    private func deleteMyJobs(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let count = try await service.deleteAll(owner: Caller.addressOwner(address(request, context)))
        return Reply.json(["message": "Success! Deleted all \(count) jobs!"])
    }

    private func checkJob(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let job = try await lookup(try await rawID(request), try await caller(request, context))
        return Reply.text(LegacyLog.render(try await service.plainLog(job)))
    }

    private func kill(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let job = try await lookup(try await rawID(request), try await caller(request, context))
        guard job.state == .queued || job.state == .running else { return Reply.text("Job was already killed") }
        _ = try await service.cancel(job)
        return Reply.text("Success")
    }

    private func rename(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let body = try await BodyLimit.collect(request, limit: BodyLimit.rename)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let id = object["id"] as? String, let name = object["name"] as? String
        else { throw APIError.badRequest("expected a JSON body {\"id\": ..., \"name\": ...}") }
        let job = try await lookup(id, try await caller(request, context))
        let renamed = try await service.rename(job, to: name)
        return Reply.json([
            "success": "Successfully renamed job \(renamed.id) to \(LegacyLog.escapeAngles(Substring(renamed.name)))"
        ])
    }

    // MARK: shapes

    /// The legacy job object (`legacyText`) as bytes. A running job's log is its stored stderr lines, which change
    /// without a new row version, so only the other states are cached.
    func legacyDocument(_ job: JobRecord) async throws -> ByteBuffer {
        if job.state == .running || job.state == .cancelling {
            return ByteBuffer(bytes: legacyText(job, log: try await service.plainLog(job)).bytes)
        }
        return documents.document(for: job) {
            ByteBuffer(bytes: self.legacyText($0, log: JobService.storedLog($0)).bytes)
        }
    }

    func legacyText(_ job: JobRecord, log: String) -> JSONText {
        .object([
            ("logs", .string(LegacyLog.render(log))),
            ("name", .string(LegacyLog.escapeAngles(Substring(job.name)))),
            ("status", .string(job.state.legacyStatus(reason: job.failureReason))),
            ("uid", .string(job.id)),
        ])
    }

    /// A submission that came through `path-prefix` lands on the job page below it too.
    private func redirectPage(id: String, prefix: String) -> String {
        var target = configuration.jobPageURL.replacingOccurrences(of: "{id}", with: id)
        if target.hasPrefix("/") && !target.hasPrefix("//") { target = prefix + target }
        let url = htmlEscaped(target)
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=\(url)">
            <title>STAMINA job \(id)</title></head>
            <body><p>Your job id is <code>\(id)</code>. If you are not redirected, <a href="\(url)">open the job page</a>.</p></body></html>

            """
    }

    // MARK: plumbing

    private func rawID(_ request: Request) async throws -> String {
        let body = try await BodyLimit.collect(request, limit: BodyLimit.jobID)
        return String(buffer: body).trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n\""))
    }

    private func address(_ request: Request, _ context: StaminaRequestContext) -> String {
        ClientAddress.resolve(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
    }

    /// The legacy identity is the address; only the admin token widens it (to every job).
    private func caller(_ request: Request, _ context: StaminaRequestContext) async throws -> Caller {
        if let principal = try await tokens.principal(request), principal.isAdmin { return .admin }
        return .address(address(request, context))
    }

    /// Another owner's job (a `/v1` token's, another address's) is as unknown as a made-up id.
    private func lookup(_ id: String, _ caller: Caller) async throws -> JobRecord {
        guard let job = try await service.visibleJob(id: id, caller: caller) else {
            throw APIError(status: .notFound, slug: "not-found", title: "Not found", detail: "Job not found")
        }
        return job
    }
}
