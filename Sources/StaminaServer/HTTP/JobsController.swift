import Foundation
import HTTPTypes
import Hummingbird
import OrderedJSON

/// `/v1/jobs`: resource-oriented and token-authenticated. Another owner's job answers 404, so a
/// job id alone reveals nothing.
struct JobsController: Sendable {
    let service: JobService
    let tokens: TokenAuthority
    let configuration: ServerConfiguration
    let trustedProxies: Set<String>
    let documents = JobDocumentCache()

    func register(on router: some RouterMethods<StaminaRequestContext>) {
        let jobs = router.group("v1/jobs")
        jobs.post { request, context in try await self.create(request, context) }
        jobs.get { request, _ in try await self.list(request) }
        jobs.get(":id") { request, context in
            let (job, _) = try await self.visibleJob(request, context)
            return Reply.json(rendered: self.document(job))
        }
        jobs.patch(":id") { request, context in try await self.rename(request, context) }
        jobs.delete(":id") { request, context in
            let (job, _) = try await self.visibleJob(request, context)
            try await self.service.delete(job)
            return Response(status: .noContent)
        }
        jobs.post(":id/cancel") { request, context in
            let (job, _) = try await self.visibleJob(request, context)
            guard job.state == .queued || job.state == .running else {
                throw APIError.conflict("the job is \(job.state.rawValue) and cannot be cancelled")
            }
            return Reply.json(self.resource(try await self.service.cancel(job)), status: .accepted)
        }
        jobs.get(":id/log") { request, context in try await self.log(request, context) }
        jobs.get(":id/result") { request, context in try await self.result(request, context) }
        jobs.get(":id/artifacts/:name") { request, context in try await self.artifact(request, context) }
        jobs.get(":id/events") { request, context in
            let (job, _) = try await self.visibleJob(request, context)
            return EventStream(service: self.service).response(
                for: job, lastEventID: request.headers[.lastEventID])
        }
    }

    // MARK: endpoints

    private func create(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let principal = try await tokens.principal(request)
        let idempotencyKey = request.headers[.idempotencyKey].map { String($0.prefix(200)) }
        // A retry of an answered request is answered without reading its body; concurrent first
        // tries are settled by the store's insert (one job per owner and key).
        if let principal, let key = idempotencyKey,
            let job = try await service.earlierSubmission(owner: principal.owner, idempotencyKey: key)
        {
            return accepted(job, token: nil)
        }
        if principal == nil {
            guard configuration.allowAnonymous else {
                throw APIError.unauthorized(
                    "this server does not accept anonymous jobs; send 'Authorization: Bearer <token>'")
            }
        }
        let body = try await BodyLimit.collect(request, limit: BodyLimit.submission(configuration))
        let form = try SubmissionForm.parse(
            body: body, contentType: request.headers[.contentType], maxFileBytes: configuration.maxUploadBytes)
        // Anonymous jobs, and jobs of tokens issued to anonymous submissions, count against the
        // client address (a fresh token must not buy a fresh quota); a real token's jobs count
        // against the token's owner.
        let anonymous = principal == nil ? tokens.newAnonymous() : nil
        guard let owner = principal?.owner ?? anonymous?.record.owner else { throw APIError.internal("no owner") }
        let quotaKey =
            principal?.isAnonymous ?? true
            ? Caller.addressOwner(
                ClientAddress.resolve(request, peer: context.remoteAddress, trustedProxies: trustedProxies)) : nil
        let job = try await service.submit(
            try form.submission(
                owner: owner, quotaKey: quotaKey, idempotencyKey: anonymous == nil ? idempotencyKey : nil,
                readsName: true))
        if let anonymous { try await tokens.keep(anonymous.record) }
        return accepted(job, token: anonymous?.token)
    }

    private func accepted(_ job: JobRecord, token: String?) -> Response {
        Reply.json(
            resource(job, token: token), status: .accepted,
            headers: [.location: "/v1/jobs/\(job.id)", .retryAfter: "1"])
    }

    private func list(_ request: Request) async throws -> Response {
        let principal = try await tokens.require(request)
        let query = request.uri.queryParameters
        var state: JobState? = nil
        if let text = query["state"] {
            guard let parsed = JobState(rawValue: String(text).uppercased()) else {
                throw APIError.badRequest(
                    "state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(text), (1...500).contains(value) else {
                throw APIError.badRequest("limit must be in 1...500")
            }
            limit = value
        }
        var before: Int64? = nil
        if let text = query["cursor"] {
            guard let value = Int64(text), value > 0 else { throw APIError.badRequest("cursor is not valid") }
            before = value
        }
        let page = try await service.jobs(
            owner: Caller(principal).owner, state: state, before: before, limit: limit + 1)
        let shown = Array(page.prefix(limit))
        let next: JSONText = page.count > limit ? .string(String(shown.last?.sequence ?? 0)) : .null
        return Reply.json(.object([("jobs", .array(shown.map { resource($0) })), ("nextCursor", next)]))
    }

    private func rename(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let (job, _) = try await visibleJob(request, context)
        let body = try await BodyLimit.collect(request, limit: BodyLimit.rename)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let name = object["name"] as? String
        else { throw APIError.badRequest("expected a JSON body {\"name\": \"...\"}") }
        return Reply.json(resource(try await service.rename(job, to: name)))
    }

    private func log(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let (job, _) = try await visibleJob(request, context)
        var offset = 0
        if let text = request.uri.queryParameters["offset"] {
            guard let value = Int(text), value >= 0 else {
                throw APIError.badRequest("offset must be a non-negative integer")
            }
            offset = value
        }
        let log = Array(try await service.plainLog(job).utf8)
        let slice = offset < log.count ? log[offset...] : []
        var response = Reply.text(String(decoding: slice, as: UTF8.self))
        response.headers[.xNextOffset] = String(log.count)
        return response
    }

    private func result(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let (job, _) = try await visibleJob(request, context)
        if job.state == .pruned {
            throw APIError(
                status: .gone, slug: "pruned", title: "Pruned", detail: "the job was pruned after its retention time")
        }
        guard job.state.isTerminal, let result = job.resultJSON else {
            throw APIError.conflict("the job is \(job.state.rawValue); its result is not available")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: result)))
    }

    private func artifact(_ request: Request, _ context: StaminaRequestContext) async throws -> Response {
        let (job, _) = try await visibleJob(request, context)
        let name = context.parameters.get("name") ?? ""
        guard let data = try await service.artifact(job, named: name) else { throw APIError.notFound("artifact") }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: shapes

    private func visibleJob(_ request: Request, _ context: StaminaRequestContext) async throws -> (JobRecord, Principal)
    {
        let principal = try await tokens.require(request)
        let id = context.parameters.get("id") ?? ""
        guard let job = try await service.visibleJob(id: id, caller: Caller(principal)) else {
            throw APIError.notFound()
        }
        return (job, principal)
    }

    /// The job resource as clients poll it, rendered once per version of the job.
    func document(_ job: JobRecord) -> ByteBuffer {
        documents.document(for: job) { ByteBuffer(bytes: resource($0).bytes) }
    }

    func resource(_ job: JobRecord, token: String? = nil) -> JSONText {
        let base = "/v1/jobs/\(job.id)"
        let parameters = job.parameters
        var members: [(String, JSONText)] = [
            ("id", .string(job.id)), ("name", .string(job.name)), ("state", .string(job.state.rawValue)),
            ("failureReason", .optional(job.failureReason?.rawValue)),
            ("failureMessage", .optional(job.failureMessage)),
            (
                "parameters",
                .object([
                    ("method", .string(parameters.method.rawValue)), ("kappa", .number(parameters.kappa)),
                    ("reduceKappa", .number(parameters.reduceKappa)),
                    ("approxFactor", .number(parameters.approxFactor)),
                    ("window", .number(parameters.window)), ("maxIterations", .integer(parameters.maxIterations)),
                    ("propertyTruncation", .bool(parameters.propertyTruncation)),
                    ("constants", .string(parameters.constants)),
                ])
            ),
            ("modelFile", .string(job.modelFileName)), ("propertiesFile", .string(job.propertiesFileName)),
            ("attempts", .integer(job.attempts)), ("createdAt", .time(job.createdAt)),
            ("startedAt", .time(job.startedAt)),
            ("finishedAt", .time(job.finishedAt)),
            (
                "links",
                .object([
                    ("self", .string(base)), ("log", .string(base + "/log")), ("events", .string(base + "/events")),
                    ("result", .string(base + "/result")), ("cancel", .string(base + "/cancel")),
                ])
            ),
        ]
        if let token { members.append(("token", .string(token))) }
        return .object(members)
    }
}
