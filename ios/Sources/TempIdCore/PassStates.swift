// The thin Swift layer over the generated bindings: PassState as an AsyncStream.

import Foundation

/// Forwards every state from the library to an AsyncStream continuation.
private final class PassStateForwarder: PassStateListener, @unchecked Sendable {
    private let continuation: AsyncStream<PassState>.Continuation

    init(_ continuation: AsyncStream<PassState>.Continuation) {
        self.continuation = continuation
    }

    func onState(state: PassState) throws {
        continuation.yield(state)
    }
}

public extension TempIdClient {
    /// Every `PassState` of this client: the current state first, then each change. The
    /// observation stops (its `TaskHandle` is cancelled) when the consuming task ends or is
    /// cancelled. States are never dropped; read them on the main actor to draw.
    var passStates: AsyncStream<PassState> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            do {
                let handle = try self.observe(listener: PassStateForwarder(continuation))
                continuation.onTermination = { _ in handle.cancel() }
            } catch {
                continuation.finish()
            }
        }
    }
}
