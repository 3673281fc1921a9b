import AthenaAPI
import NIOCore
import Synchronization

/// One streaming exchange between a client and an engine session, whatever carries it (a
/// WebSocket, or the response of an SSE request): the client's ASE messages go in through
/// ``receive(_:)``, in order; each engine result comes out through `emit` as an ASE response
/// body, the last one flagged. Transport-independent, so the WebSocket handler, the SSE writer
/// and the tests drive the same code.
///
/// The rules, after AIGES sessions and iFlytek's WebSocket APIs:
/// - The first message opens the session: it is decoded and validated like a once request
///   (parameter and payload schemas), and its `parameter` and `header` are the session's.
///   Later messages carry frames only (`payload`, with `status` 1 continue or 2 end).
/// - Every result is an ASE response whose `header.status` is 1 (more to come) or 2 (the last).
///   An error is an ASE error response with `header.status` 2; it ends the exchange.
/// - An engine without sessions (a plain HTTP engine, an AIGES wrapper without `wrapperCreate`)
///   still answers a first message whose frames are all once frames (status 3): as a once
///   request, one result with `header.status` 3. A real session (status 0…2) gets code 30401.
/// - No activity either way for the service timeout ends the exchange with code 10114.
final class StreamingSession: Sendable {
    /// Hands the ASE body of one result (and whether it is the last) to the client; returns once
    /// it is written, so a slow client slows the engine down instead of filling memory.
    typealias Emit = @Sendable (_ body: ByteBuffer, _ last: Bool) async -> Void
    /// Asks the transport to stop (`true`) or resume (`false`) reading client messages.
    typealias Pause = @Sendable (_ paused: Bool) -> Void

    /// AIGES/SDK code for "this application does not support streaming sessions".
    static let sessionNotSupported = 30401
    /// HTTP-style status recorded for a session the client left before its end (nginx's 499).
    static let clientClosed = 499

    private let gateway: Gateway
    private let target: Gateway.StreamTarget
    private let emit: Emit
    private let pause: Pause
    /// Bytes of client messages received but not yet written to the engine; past this budget the
    /// transport stops reading until half of it is written (a client faster than its engine).
    private let inputBudget: Int
    private let pendingInput = Atomic<Int>(0)
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    /// Frames of the messages after the first, to the task that sends them in order.
    private let inbox: AsyncStream<(items: [EngineItem], bytes: Int)>
    private let inboxInput: AsyncStream<(items: [EngineItem], bytes: Int)>.Continuation
    /// When the last message came in or the last result went out (nanoseconds since `started`).
    private let lastActivity = Atomic<Int64>(0)
    /// Client messages received and results sent (the access log's line).
    private let messagesIn = Atomic<Int>(0)
    private let resultsOut = Atomic<Int>(0)

    private struct State {
        var opened = false
        /// The client sent its last frame (status 2 or 3).
        var inputEnded = false
        var finished = false
        /// `header.sid` of the results: the client's `header.sid`, else the gateway's.
        var sid = ""
        var task: Task<Void, Never>?
        /// Watches for inactivity from the session's creation (a client that upgrades and then
        /// says nothing is timed out too).
        var idle: Task<Void, Never>?
        /// Reading from the client is paused (see `inputBudget`).
        var paused = false
    }

    init(gateway: Gateway, target: Gateway.StreamTarget, emit: @escaping Emit, pause: @escaping Pause = { _ in }) {
        self.gateway = gateway
        self.target = target
        self.emit = emit
        self.pause = pause
        inputBudget = max(1 << 20, 2 * target.service.route.limits.maxBodyBytes)
        (inbox, inboxInput) = AsyncStream.makeStream(of: (items: [EngineItem], bytes: Int).self)
        state.withLock { $0.sid = target.sid }
        gateway.metrics.activeSessions.increment()
        let idle = Task { await self.watchIdle() }
        state.withLock { $0.idle = idle }
    }

    // MARK: - From the client

    /// One message from the client (an ASE request body). Call in order, from one place at a time.
    func receive(_ body: ByteBuffer) {
        touch()
        enum Step { case ignore, open, more, afterEnd }
        let step: Step = state.withLock { s in
            if s.finished { return .ignore }
            if s.inputEnded { return .afterEnd }
            defer { s.opened = true }
            return s.opened ? .more : .open
        }
        let name = target.service.name
        do {
            switch step {
            case .ignore:
                return
            case .afterEnd:
                throw GatewayError(.invalidRequest, "a message after the last frame (status 2): the session's input has ended")
            case .open:
                start(try Self.opening(body, target: target))
            case .more:
                messagesIn.add(1, ordering: .relaxed)
                let request = try ASECodec.decode(body, service: name, sid: target.sid, version: nil)
                guard !request.items.isEmpty else { return }
                let ends = EngineItem.endInput(request.items)
                state.withLock { $0.inputEnded = ends }
                let bytes = body.readableBytes
                inboxInput.yield((request.items, bytes))
                if ends { inboxInput.finish() }
                if pendingInput.add(bytes, ordering: .relaxed).newValue > inputBudget {
                    let pausing = state.withLock { s in
                        defer { s.paused = true }
                        return !s.paused
                    }
                    if pausing {
                        gateway.metrics.sessionReadPauses.add(1, ordering: .relaxed)
                        pause(true)
                    }
                }
            }
        } catch let error as GatewayError {
            fail(error)
        } catch {
            fail(GatewayError(.internalError, "internal error: \(error)"))
        }
    }

    /// The first message decoded and validated like a once request, with the routing rule's
    /// headers: what opens the engine session. Throws the ASE error for a bad message.
    static func opening(_ body: ByteBuffer, target: Gateway.StreamTarget) throws -> EngineRequest {
        var request = try ASECodec.decode(body, service: target.service.name, sid: target.sid, version: target.version)
        request.addRuleHeaders(target.ruleHeaders)
        return request
    }

    /// Opens the engine session with the first message, decoded (``opening(_:target:)``).
    func start(_ request: EngineRequest) {
        let ends = EngineItem.endInput(request.items)
        let go: Bool = state.withLock { s in
            guard !s.finished else { return false }
            s.opened = true
            s.sid = request.sid
            s.inputEnded = ends
            return true
        }
        guard go else { return }
        messagesIn.add(1, ordering: .relaxed)
        if ends { inboxInput.finish() }
        let task = Task { await self.run(request) }
        let ended = state.withLock { s in
            s.task = task
            return s.finished
        }
        if ended { task.cancel() }  // the client left while the task was being made
    }

    /// The client went away (closed the WebSocket, dropped the SSE connection): the engine
    /// session ends (its stream is reset, the wrapper's `wrapperDestroy` runs).
    func clientGone() {
        let (ended, task, idle): (Bool, Task<Void, Never>?, Task<Void, Never>?) = state.withLock { s in
            guard !s.finished else { return (false, nil, nil) }
            s.finished = true
            return (true, s.task, s.idle)
        }
        guard ended else { return }
        inboxInput.finish()
        task?.cancel()
        idle?.cancel()
        record(status: Self.clientClosed, code: 0)
    }

    /// The client's protocol was broken (a binary or oversized WebSocket message…): ends the
    /// exchange with `error` as the last result.
    func refuse(_ error: GatewayError) {
        fail(error)
    }

    // MARK: - With the engine

    private func run(_ request: EngineRequest) async {
        let dispatcher = Dispatcher(metrics: gateway.metrics)
        let deadline = ContinuousClock.now + target.idleTimeout
        let session: any EngineSession
        do {
            session = try await dispatcher.openSession(
                request, service: target.service, version: target.version, hashKey: target.hashKey, deadline: deadline)
        } catch let error as EngineError where error.kind == .unsupported {
            await once(request)
            return
        } catch let error as GatewayError {
            fail(error)
            return
        } catch {
            fail(GatewayError(.internalError, "internal error: \(error)"))
            return
        }
        await pump(session, opening: request)
        await session.close()
    }

    /// Sends the client's frames and hands over the results until the last one, an error, the
    /// idle timeout or the client's departure.
    private func pump(_ session: any EngineSession, opening: EngineRequest) async {
        enum Ended: Sendable { case input, results }
        let inbox = self.inbox
        await withTaskGroup(of: Ended.self) { group in
            group.addTask {
                for await (items, bytes) in inbox {
                    do { try await session.send(items) } catch { break }
                    self.written(bytes)
                }
                return .input
            }
            group.addTask {
                await self.results(of: session, opening: opening)
                return .results
            }
            while let ended = await group.next() {
                if ended != .input { break }
            }
            group.cancelAll()
        }
    }

    /// `bytes` of client messages reached the engine: reading resumes once half the budget is free.
    private func written(_ bytes: Int) {
        let left = pendingInput.subtract(bytes, ordering: .relaxed).newValue
        guard left <= inputBudget / 2 else { return }
        let resuming = state.withLock { s in
            defer { s.paused = false }
            return s.paused
        }
        if resuming { pause(false) }
    }

    private func results(of session: any EngineSession, opening: EngineRequest) async {
        var first = true
        do {
            for try await response in session.responses {
                defer { first = false }
                if first, response.code == Self.sessionNotSupported, response.items.isEmpty,
                    opening.items.allSatisfy({ $0.status == .once })
                {
                    await once(opening)
                    return
                }
                if response.code != 0 {
                    fail(GatewayError(engineCode: response.code, message: response.message))
                    return
                }
                let last = response.status.isFinal
                let status = response.status == .begin ? EngineItem.Status.continue : response.status
                await send(ASECodec.encode(response, sid: sid, status: status.rawValue), last: last, status: 200)
                session.acknowledge()  // written: the engine may send more
                if last { return }
            }
            if Task.isCancelled { return }
            // The engine ended the session without a last result: say it ended.
            await send(ASECodec.encode(EngineResponse(items: []), sid: sid, status: EngineItem.Status.end.rawValue), last: true, status: 200)
        } catch let error as EngineError {
            if Task.isCancelled { return }
            gateway.metrics.upstreamError(service: target.service.name, version: target.version.name, kind: "\(error.kind)")
            switch error.kind {
            case .unreachable, .transport: fail(GatewayError(.engineUnreachable, "the session with the engine broke: \(error.message)"))
            case .timeout: fail(GatewayError(.timeout, "the engine session timed out: \(error.message)"))
            case .badResponse, .unsupported: fail(GatewayError(.engineError, "engine session: \(error.message)"))
            }
        } catch {
            if Task.isCancelled { return }
            fail(GatewayError(.engineError, "session failed: \(error)"))
        }
    }

    /// An engine without sessions: a first message of once frames is a once request.
    private func once(_ request: EngineRequest) async {
        guard request.items.allSatisfy({ $0.status == .once }) else {
            fail(GatewayError(engineCode: Self.sessionNotSupported,
                              message: "service \(target.service.name) version \(target.version.name) does not support streaming sessions; send once frames (status 3)"))
            return
        }
        do {
            let response = try await Dispatcher(metrics: gateway.metrics).call(
                request, service: target.service, version: target.version, hashKey: target.hashKey,
                deadline: ContinuousClock.now + target.idleTimeout)
            if response.code != 0 {
                fail(GatewayError(engineCode: response.code, message: response.message))
            } else {
                await send(ASECodec.encode(response, sid: sid, status: EngineItem.Status.once.rawValue), last: true, status: 200)
            }
        } catch let error as GatewayError {
            fail(error)
        } catch {
            fail(GatewayError(.internalError, "internal error: \(error)"))
        }
    }

    /// Ends the exchange when nothing moved either way for the idle timeout.
    private func watchIdle() async {
        let timeout = target.idleTimeout
        while !Task.isCancelled {
            let idleSince = started + .nanoseconds(lastActivity.load(ordering: .relaxed))
            let due = idleSince + timeout
            if ContinuousClock.now >= due {
                fail(GatewayError(.timeout, "no activity on the session for \(timeout.seconds.plainText) s"))
                return
            }
            try? await Task.sleep(until: due, clock: .continuous)
        }
    }

    // MARK: - To the client

    private var sid: String { state.withLock { $0.sid } }

    private func touch() {
        lastActivity.store(TimeAmount(ContinuousClock.now - started).nanoseconds, ordering: .relaxed)
    }

    /// Takes the right to send a result: false once the exchange ended; the last one ends it.
    private func claim(last: Bool) -> Bool {
        let (go, idle): (Bool, Task<Void, Never>?) = state.withLock { s in
            guard !s.finished else { return (false, nil) }
            if last { s.finished = true }
            return (true, last ? s.idle : nil)
        }
        guard go else { return false }
        idle?.cancel()
        touch()
        resultsOut.add(1, ordering: .relaxed)
        if last { inboxInput.finish() }
        return true
    }

    /// Hands a result to the client unless the exchange already ended; the last one ends it.
    private func send(_ body: ByteBuffer, last: Bool, status: Int, code: Int = 0) async {
        guard claim(last: last) else { return }
        await emit(body, last)
        if last { record(status: status, code: code) }
    }

    /// Ends the exchange with `error` as its last result (callable from the event loop: the
    /// end is decided here, the error written by a task) and stops the engine session.
    private func fail(_ error: GatewayError) {
        let task = state.withLock { $0.task }
        defer { task?.cancel() }
        guard claim(last: true) else { return }
        let body = ASECodec.encodeError(error, sid: sid, status: EngineItem.Status.end.rawValue)
        record(status: error.status.code, code: error.code)
        let emit = self.emit
        Task { await emit(body, true) }
    }

    /// The session's end in the metrics and the access log (once: callers hold the `finished` flip).
    private func record(status: Int, code: Int) {
        gateway.metrics.activeSessions.decrement()
        gateway.metrics.sessionFinished(service: target.service.name, version: target.version.name,
                                        transport: target.transport.rawValue, status: status)
        if gateway.options.logger.logLevel <= .info {
            gateway.accessLog.record(AccessLog.SessionRecord(
                transport: target.transport.rawValue, path: target.path, status: status, code: code, sid: sid,
                service: target.service.name, version: target.version.name,
                nanoseconds: TimeAmount(ContinuousClock.now - started).nanoseconds,
                messagesIn: messagesIn.load(ordering: .relaxed), resultsOut: resultsOut.load(ordering: .relaxed)))
        }
    }
}
