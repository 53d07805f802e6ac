import Foundation
import SwiftUI
import TempIdCore

/// Which form of the home flow is open: navigation only, never a rule.
enum Route { case home, consent, form, history }

/// What the person can do next after a refusal (the words come from the core).
enum NextStep { case fixInput, giveConsent, openSettings, relocate, signIn, faceCheck, policeWindow, reapply, updateApp, retryLater, dismiss }

/// A refusal as the screens show it: the core's stable code, message and hint, the next step,
/// and the form field it belongs to.
struct Problem: Equatable {
    enum Field { case idNumber, name, username, password }
    var code: String
    var message: String
    var hint: String
    var next: NextStep
    var field: Field? = nil
    var reason: String? = nil
}

/// The app's model, the Swift twin of Android's `PassPresenter` + `PassViewModel`: it draws the
/// core's `PassState` stream and forwards taps. No rule of the product lives here.
@MainActor
final class AppModel: ObservableObject {
    @Published private(set) var state: PassState?
    @Published var route: Route = .home
    @Published var problem: Problem?
    @Published var formProblem: Problem?
    @Published private(set) var busy = false
    @Published private(set) var history: [HistoryEntry]?
    @Published private(set) var refreshNotice: Bool? // true: synced, false: offline redraw

    let client: TempIdClient
    private var observation: Task<Void, Never>?

    init(client: TempIdClient) {
        self.client = client
        observation = Task { [weak self] in
            guard let stream = self?.client.passStates else { return }
            for await state in stream {
                self?.receive(state)
            }
        }
        perform { _ = try await $0.start() }
    }

    deinit { observation?.cancel() }

    private func receive(_ new: PassState) {
        state = new
        switch new {
        case .ready, .awaitingConsent, .locating, .locationDenied, .locationUnavailable: break
        default:
            route = .home
            formProblem = nil
        }
    }

    // MARK: taps

    /// Runs a call into the core, marking the UI busy and showing what it throws. Refusals the
    /// current screen already explains (location, quota, update) are not repeated in a banner.
    func perform(_ action: @escaping (TempIdClient) async throws -> Void) {
        busy = true
        problem = nil
        refreshNotice = nil
        Task {
            defer { busy = false }
            do { try await action(client) } catch {
                let p = Self.problem(for: error)
                if !["location_required", "quota_exhausted", "update_required"].contains(p.code) { problem = p }
            }
        }
    }

    func apply(idNumber: String, name: String) {
        busy = true
        problem = nil
        formProblem = nil
        Task {
            defer { busy = false }
            do {
                try await client.apply(form: ApplicationForm(idNumber: idNumber, name: name))
                route = .home
            } catch {
                let p = Self.problem(for: error)
                if p.field == .idNumber || p.field == .name {
                    formProblem = p
                } else if p.next == .giveConsent {
                    route = .consent
                } else if !["location_required", "quota_exhausted", "update_required"].contains(p.code) {
                    problem = p
                }
            }
        }
    }

    func giveConsent() {
        client.giveConsent(consent: true, selfConfirmed: true)
        route = .form
    }

    func openPass() { perform { try $0.openPass() } }
    func closePass() { client.closePass() }
    /// "Back" / "OK" of a notice the core shows (quota exhausted, location denied or unavailable).
    func leaveNotice() {
        client.dismiss()
        route = .home
    }
    func reverify() { perform { try await $0.reverify() } }
    func relocate() { perform { _ = try await $0.locate() } }
    func logout() { perform { try await $0.logout() } }
    func clearCache() { perform { try await $0.clearCache() } }

    func refresh() {
        perform { [weak self] client in
            let outcome = try await client.refresh()
            await MainActor.run { self?.refreshNotice = outcome.synced }
        }
    }

    func showHistory() {
        route = .history
        history = nil
        perform { [weak self] client in
            let entries = try await client.history()
            await MainActor.run { self?.history = entries }
        }
    }

    // MARK: errors

    /// The core's error as a `Problem`. Cases are matched by position, so the binding's field
    /// labels do not matter here (uniffi keeps error cases UpperCamelCase in Swift).
    static func problem(for error: Error) -> Problem {
        guard let e = error as? TempIdError else {
            return Problem(code: "internal", message: String(localized: "error_generic"), hint: String(localized: "error_generic_hint"), next: .dismiss)
        }
        switch e {
        case let .InvalidIdNumber(reason, message, hint):
            return Problem(code: "invalid_id_number", message: message, hint: hint, next: .fixInput, field: .idNumber, reason: reason)
        case let .InvalidName(message, hint):
            return Problem(code: "invalid_name", message: message, hint: hint, next: .fixInput, field: .name)
        case let .InvalidInput(field, message, hint):
            return Problem(code: "invalid_input", message: message, hint: hint, next: .fixInput, field: field == "password" ? .password : .username)
        case let .ConsentRequired(message, hint):
            return Problem(code: "consent_required", message: message, hint: hint, next: .giveConsent)
        case let .LocationRequired(denied, message, hint):
            return Problem(code: "location_required", message: message, hint: hint, next: denied ? .openSettings : .relocate)
        case let .Unauthorized(message, hint):
            return Problem(code: "unauthorized", message: message, hint: hint, next: .signIn)
        case let .InvalidCredentials(message, hint):
            return Problem(code: "invalid_credentials", message: message, hint: hint, next: .fixInput, field: .password)
        case let .AccountExists(message, hint):
            return Problem(code: "account_exists", message: message, hint: hint, next: .fixInput, field: .username)
        case let .FaceCheckFailed(reason, message, hint):
            return Problem(code: "face_check_failed", message: message, hint: hint, next: .faceCheck, reason: reason)
        case let .QuotaExhausted(_, message, hint):
            return Problem(code: "quota_exhausted", message: message, hint: hint, next: .policeWindow)
        case let .ReapplyNotYet(_, message, hint):
            return Problem(code: "reapply_not_yet", message: message, hint: hint, next: .dismiss)
        case let .ReverificationRequired(message, hint):
            return Problem(code: "reverification_required", message: message, hint: hint, next: .faceCheck)
        case let .NoPass(message, hint):
            return Problem(code: "no_pass", message: message, hint: hint, next: .reapply)
        case let .Expired(message, hint):
            return Problem(code: "expired", message: message, hint: hint, next: .reapply)
        case let .Revoked(message, hint):
            return Problem(code: "revoked", message: message, hint: hint, next: .policeWindow)
        case let .Offline(_, message, hint):
            return Problem(code: "offline", message: message, hint: hint, next: .retryLater)
        case let .UpdateRequired(_, message, hint):
            return Problem(code: "update_required", message: message, hint: hint, next: .updateApp)
        case let .RateLimited(_, message, hint):
            return Problem(code: "rate_limited", message: message, hint: hint, next: .retryLater)
        case let .Storage(message, hint):
            return Problem(code: "storage", message: message, hint: hint, next: .retryLater)
        case let .Internal(message, hint):
            return Problem(code: "internal", message: message, hint: hint, next: .dismiss)
        @unknown default:
            return Problem(code: "internal", message: String(localized: "error_generic"), hint: String(localized: "error_generic_hint"), next: .dismiss)
        }
    }
}
