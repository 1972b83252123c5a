import Foundation
import Hummingbird

/// The first STAMINA server's endpoints, kept byte for byte where the design note says so. The
/// caller is identified by its address; a job id is the credential, as it was.
struct LegacyController: Sendable {
    let service: JobService
    let tokens: TokenAuthority
    let configuration: ServerConfiguration
    let trustedProxies: Set<String>

    func register(on router: some RouterMethods<StaminaRequestContext>) {
        router.post("jobs") { request, context in try await self.postJobs(request, context) }
        router.get("jobs") { request, _ in try await self.allJobs(request) }
        router.delete("jobs") { request, _ in try await self.deleteJob(request) }
        router.get("myjobs") { request, context in try await self.myJobs(request, context) }
        router.delete("myjobs") { request, context in try await self.deleteMyJobs(request, context) }
        router.post("checkjob") { request, _ in try await self.checkJob(request) }
        router.post("kill") { request, _ in try await self.kill(request) }
        router.post("rename") { request, _ in try await self.rename(request) }
        router.get("about") { _, _ in Reply.text(AboutText.legacy(configuration: self.configuration)) }
        router.get("egg") { _, _ in Reply.text("Egg! The STAMINA server is up.\n") }
        router.get("qapla") { _, _ in Reply.text("Qapla'! The STAMINA server is up.\n") }
    }

    // MARK: endpoints

    private func postJobs(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let body = try await collect(request, limit: 2 * configuration.maxUploadBytes + 65_536)
        let form = try SubmissionForm.parse(
            body: body, contentType: request.headers[.contentType], maxFileBytes: configuration.maxUploadBytes)
        if let id = form.field("id"), form.field("create") == nil {
            let job = try await lookup(id)
            return Reply.json(legacyJSON(job))
        }
        let fromWeb = form.field("from_web") != nil
        guard form.field("create") != nil else {
            throw APIError.badRequest("send 'create' to create a job or 'id' to look one up")
        }
        let owner = "ip:" + ClientAddress.resolve(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
        do {
            let files = try JobService.files(from: form)
            let parameters = try JobService.parameters(from: form)
            let job = try await service.submit(
                .init(owner: owner, name: nil, model: files.model, properties: files.properties, parameters: parameters)
            )
            if fromWeb { return Reply.html(redirectPage(id: job.id), status: .created) }
            return Reply.json(["id": job.id, "status": "Created"], status: .created)
        } catch var error {
            // Bad input is a 400 on the legacy endpoint (a 422 under /v1).
            if error.status == .unprocessableContent { error.status = .badRequest }
            error.legacyHTML = fromWeb
            throw error
        }
    }

    private func allJobs(_ request: Request) async throws -> Response {
        guard let principal = try await tokens.principal(request) else {
            throw APIError.unauthorized("listing all jobs needs the admin token")
        }
        guard principal.isAdmin else { throw APIError.forbidden("listing all jobs needs the admin token") }
        var all: [JobRecord] = []
        var before: Int64? = nil
        while true {
            let page = try await service.store.jobs(owner: nil, state: nil, before: before, limit: 500)
            all += page
            guard page.count == 500, let last = page.last else { break }
            before = last.sequence
        }
        return Reply.json(all.map(legacyJSON))
    }

    private func deleteJob(_ request: Request) async throws -> Response {
        let job = try await lookup(try await rawID(request))
        try await service.delete(job)
        return Reply.text("Success")
    }

    private func myJobs(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let address = ClientAddress.resolve(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
        let jobs = try await service.store.jobs(owner: "ip:" + address, state: nil, before: nil, limit: 1000)
        if jobs.isEmpty {
            return Reply.json(["error": "This IP (\(address)) has no active jobs"], status: .badRequest)
        }
        return Reply.json(jobs.reversed().map(legacyJSON))
    }

    private func deleteMyJobs(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let address = ClientAddress.resolve(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
        let jobs = try await service.store.jobs(owner: "ip:" + address, state: nil, before: nil, limit: 10_000)
        for job in jobs { try await service.delete(job) }
        return Reply.json(["message": "Success! Deleted all \(jobs.count) jobs!"])
    }

    private func checkJob(_ request: Request) async throws -> Response {
        let job = try await lookup(try await rawID(request))
        return Reply.text(LegacyLog.render(service.plainLog(job)))
    }

    private func kill(_ request: Request) async throws -> Response {
        let job = try await lookup(try await rawID(request))
        guard job.state == .queued || job.state == .running else { return Reply.text("Job was already killed") }
        _ = try await service.cancel(job)
        return Reply.text("Success")
    }

    private func rename(_ request: Request) async throws -> Response {
        let body = try await collect(request, limit: 65_536)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let id = object["id"] as? String, let name = object["name"] as? String
        else { throw APIError.badRequest("expected a JSON body {\"id\": ..., \"name\": ...}") }
        let job = try await lookup(id)
        let renamed = try await service.rename(job, to: name)
        return Reply.json([
            "success": "Successfully renamed job \(renamed.id) to \(LegacyLog.escapeAngles(Substring(renamed.name)))"
        ])
    }

    // MARK: shapes

    func legacyJSON(_ job: JobRecord) -> [String: Any] {
        [
            "status": job.state.legacyStatus(reason: job.failureReason),
            "logs": LegacyLog.render(service.plainLog(job)),
            "uid": job.id,
            "name": LegacyLog.escapeAngles(Substring(job.name)),
        ]
    }

    private func redirectPage(id: String) -> String {
        let url = htmlEscaped(configuration.jobPageURL.replacingOccurrences(of: "{id}", with: id))
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=\(url)">
            <title>STAMINA job \(id)</title></head>
            <body><p>Your job id is <code>\(id)</code>. If you are not redirected, <a href="\(url)">open the job page</a>.</p></body></html>

            """
    }

    // MARK: plumbing

    private func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch let error as HTTPError
            where error.status == .contentTooLarge
        {
            throw APIError.payloadTooLarge("the request body is larger than \(limit) bytes")
        }
    }

    private func rawID(_ request: Request) async throws -> String {
        let body = try await collect(request, limit: 4096)
        return String(buffer: body).trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n\""))
    }

    private func lookup(_ id: String) async throws -> JobRecord {
        guard RandomIdentifier.isJobID(Substring(id)), let job = try await service.store.job(id: id) else {
            throw APIError(status: .notFound, slug: "not-found", title: "Not found", detail: "Job not found")
        }
        return job
    }
}
