import SwiftUI
import TempIdCore

/// Draws the core's state (plus the open form of the home flow); every tap goes to `AppModel`.
struct RootView: View {
    @EnvironmentObject var model: AppModel

    var body: some View {
        NavigationStack {
            VStack(alignment: .leading, spacing: 12) {
                if let problem = model.problem { ProblemBanner(problem: problem) }
                if let synced = model.refreshNotice {
                    Text(LocalizedStringKey(synced ? "refreshed_online" : "refreshed_offline")).accessibilityAddTraits(.updatesFrequently)
                }
                content
                Spacer(minLength: 0)
            }
            .padding(20)
        }
    }

    @ViewBuilder private var content: some View {
        switch model.state {
        case nil:
            Busy(label: "starting")
        case .signedOut:
            SignInView()
        case let .ready(quota, city, guest, consentGiven, currentPass, offline):
            switch model.route {
            case .home:
                HomeView(quota: quota, city: city, guest: guest, pass: currentPass, offline: offline)
            case .consent, .form:
                if consentGiven { ApplicationFormView() } else { ConsentView() }
            case .history:
                HistoryView(entries: model.history)
            }
        case .locating:
            Busy(label: "locating")
        case .locationDenied:
            LocationDeniedView()
        case .locationUnavailable:
            VStack(alignment: .leading, spacing: 12) {
                Title("location_unavailable_title")
                Text("location_unavailable_text")
                Button("relocate") { model.relocate() }.buttonStyle(.borderedProminent)
                Button("back") { model.leaveNotice() }
            }
        case .awaitingConsent:
            ConsentView()
        case .applying:
            Busy(label: "applying")
        case let .awaitingFaceCheck(kind):
            Busy(label: LocalizedStringKey(kind == .apply ? "face_check_apply" : kind == .reverify ? "face_check_reverify" : "face_check_lookup"))
        case .reverifying:
            Busy(label: "reverifying")
        case let .showing(_, qr, _, secondsToRefresh, secondsToReverify, expiresAt, holder, idMasked, canReapply, _, offline, lastSynced):
            PassView(qr: qr, refreshIn: Int64(secondsToRefresh), reverifyIn: Int64(secondsToReverify), expiresAt: expiresAt,
                     holder: holder, idMasked: idMasked, canReapply: canReapply, offline: offline, lastSynced: lastSynced)
        case let .reverificationRequired(expiresAt, canReapply, newDevice):
            VStack(alignment: .leading, spacing: 12) {
                Title("reverify_title")
                Text(LocalizedStringKey(newDevice ? "reverify_new_device" : "reverify_text"))
                Text("reverify_no_quota")
                Text(String(format: NSLocalizedString("valid_until %@", comment: ""), Formatting.chinaDateTime(expiresAt)))
                Button("start_face_check") { model.reverify() }.buttonStyle(.borderedProminent)
                if canReapply { Button("reapply") { model.closePass(); model.route = .form } }
                Button("close_pass") { model.closePass() }
            }
        case let .expired(expiredAt, canReapply):
            VStack(alignment: .leading, spacing: 12) {
                Title("expired_title")
                Text(String(format: NSLocalizedString("expired_at %@", comment: ""), Formatting.chinaDateTime(expiredAt)))
                Text("expired_text")
                if canReapply { Button("reapply") { model.closePass(); model.route = .form }.buttonStyle(.borderedProminent) }
                Button("back") { model.closePass() }
            }
        case let .revoked(kind):
            VStack(alignment: .leading, spacing: 12) {
                Title("revoked_title")
                Text(LocalizedStringKey(kind == .superseded ? "superseded_text" : "revoked_text"))
                Button("back") { model.closePass() }
            }
        case let .quotaExhausted(resetsOn, hint):
            VStack(alignment: .leading, spacing: 12) {
                Title("quota_title")
                Text(hint)
                Text(String(format: NSLocalizedString("quota_resets_on %@", comment: ""), resetsOn)).font(.headline)
                Button("history") { model.showHistory() }
                Button("back") { model.leaveNotice() }
                AccountActions()
            }
        case let .offline(lastSynced):
            VStack(alignment: .leading, spacing: 12) {
                Title("offline_title")
                Text("offline_text")
                if let t = lastSynced { Text(String(format: NSLocalizedString("last_synced %@", comment: ""), Formatting.chinaDateTime(t))) }
                Button("retry") { model.refresh() }.buttonStyle(.borderedProminent)
            }
        case let .updateRequired(minVersion):
            VStack(alignment: .leading, spacing: 12) {
                Title("update_title")
                Text(String(format: NSLocalizedString("update_text %@", comment: ""), minVersion))
            }
        @unknown default:
            Busy(label: "starting")
        }
    }
}

struct Title: View {
    let key: LocalizedStringKey
    init(_ key: LocalizedStringKey) { self.key = key }
    var body: some View { Text(key).font(.title2).bold().accessibilityAddTraits(.isHeader) }
}

struct Busy: View {
    let label: LocalizedStringKey
    var body: some View {
        VStack(spacing: 12) {
            ProgressView()
            Text(label)
        }
        .frame(maxWidth: .infinity)
        .accessibilityElement(children: .combine)
    }
}

struct ProblemBanner: View {
    @EnvironmentObject var model: AppModel
    let problem: Problem

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text(problem.message).font(.headline)
            Text(problem.hint)
            HStack {
                switch problem.next {
                case .openSettings: Button("open_settings") { openSettings() }
                case .relocate: Button("relocate") { model.relocate() }
                case .faceCheck: Button("face_check_again") { model.reverify() }
                default: EmptyView()
                }
                Button("dismiss") { model.problem = nil }
            }
        }
        .padding(12)
        .background(RoundedRectangle(cornerRadius: 8).fill(Color(.secondarySystemBackground)))
        .accessibilityElement(children: .contain)
        .onAppear { UIAccessibility.post(notification: .announcement, argument: problem.message) }
    }
}

func openSettings() {
    if let url = URL(string: UIApplication.openSettingsURLString) { UIApplication.shared.open(url) }
}

struct SignInView: View {
    @EnvironmentObject var model: AppModel
    @State private var username = ""
    @State private var password = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Title("app_name")
            Text("sign_in_intro")
            TextField("username", text: $username).textContentType(.username).textInputAutocapitalization(.never)
            SecureField("password", text: $password).textContentType(.password)
            Button("log_in") { model.perform { client in try await client.login(username: username, password: password) } }
                .buttonStyle(.borderedProminent).disabled(model.busy)
            Button("register") { model.perform { client in try await client.register(username: username, password: password) } }
                .disabled(model.busy)
            Button("continue_as_guest") { model.perform { try await $0.continueAsGuest() } }.disabled(model.busy)
            Text("guest_explained").font(.footnote)
        }
        .textFieldStyle(.roundedBorder)
    }
}

struct HomeView: View {
    @EnvironmentObject var model: AppModel
    let quota: QuotaInfo?
    let city: String?
    let guest: Bool
    let pass: PassSummary?
    let offline: Bool

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 12) {
                Title("app_name")
                if guest { Text("guest_badge").font(.caption) }
                if offline { Text("offline_banner").font(.footnote) }
                HStack {
                    Text(city.map { String(format: NSLocalizedString("city_is %@", comment: ""), $0) } ?? NSLocalizedString("city_unknown", comment: ""))
                    Spacer()
                    Button("relocate") { CoreLocationProvider.requestPermission { model.relocate() } }
                }
                if let q = quota {
                    Text(String(format: NSLocalizedString("quota_line %lld %lld %@", comment: ""), Int64(q.remaining), Int64(q.limit), q.resetsOn))
                }
                if let pass {
                    VStack(alignment: .leading, spacing: 6) {
                        Text(String(format: NSLocalizedString("pass_holder %@", comment: ""), pass.holderNameMasked))
                        Text(String(format: NSLocalizedString("valid_until %@", comment: ""), Formatting.chinaDateTime(pass.expiresAt)))
                        if !pass.canReapply {
                            Text(String(format: NSLocalizedString("reapply_from %@", comment: ""), Formatting.chinaDateTime(pass.reapplyFrom))).font(.footnote)
                        }
                        Button(LocalizedStringKey(pass.needsFaceCheck ? "open_pass_with_face_check" : "open_pass")) { model.openPass() }
                            .buttonStyle(.borderedProminent).disabled(model.busy)
                    }
                    .padding(12)
                    .background(RoundedRectangle(cornerRadius: 8).fill(Color(.secondarySystemBackground)))
                }
                // The core's own flag: a new application is offered with no pass, or from 3 h before expiry.
                if pass == nil || pass?.canReapply == true {
                    Button(LocalizedStringKey(pass == nil ? "apply" : "reapply")) { model.route = .form }
                        .buttonStyle(.borderedProminent).disabled(model.busy)
                }
                Button("history") { model.showHistory() }.disabled(model.busy)
                AccountActions()
            }
        }
    }
}

struct AccountActions: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        HStack {
            Button("log_out") { model.logout() }
            Button("clear_cache") { model.clearCache() }
        }
        .disabled(model.busy)
    }
}

struct ConsentView: View {
    @EnvironmentObject var model: AppModel
    @State private var terms = false
    @State private var holder = false

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Title("consent_title")
            Text("consent_text")
            Toggle("consent_terms", isOn: $terms)
            Toggle("consent_holder", isOn: $holder)
            Button("continue_") { model.giveConsent() }.buttonStyle(.borderedProminent).disabled(!(terms && holder))
            Button("back") { model.route = .home }
        }
    }
}

struct ApplicationFormView: View {
    @EnvironmentObject var model: AppModel
    @State private var idNumber = ""
    @State private var name = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Title("form_title")
            TextField("id_number", text: $idNumber)
                .textInputAutocapitalization(.characters).autocorrectionDisabled().keyboardType(.asciiCapable)
                .onChange(of: idNumber) { _ in model.formProblem = nil }
            if let p = model.formProblem, p.field == .idNumber {
                Text("\(p.message) \(p.hint)").foregroundStyle(.red).font(.footnote)
            }
            TextField("name", text: $name).onChange(of: name) { _ in model.formProblem = nil }
            if let p = model.formProblem, p.field == .name {
                Text("\(p.message) \(p.hint)").foregroundStyle(.red).font(.footnote)
            }
            Text("form_face_check_next").font(.footnote)
            Button("start_face_check") {
                model.apply(idNumber: idNumber.trimmingCharacters(in: .whitespaces), name: name.trimmingCharacters(in: .whitespaces))
            }
            .buttonStyle(.borderedProminent).disabled(model.busy)
            Button("back") { model.route = .home }
        }
        .textFieldStyle(.roundedBorder)
    }
}

struct LocationDeniedView: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Title("location_denied_title")
            Text("location_rationale")
            Button("open_settings") { openSettings() }.buttonStyle(.borderedProminent)
            Button("relocate") { model.relocate() }
            Button("back") { model.leaveNotice() }
        }
    }
}

struct PassView: View {
    @EnvironmentObject var model: AppModel
    let qr: QrMatrix
    let refreshIn: Int64
    let reverifyIn: Int64
    let expiresAt: Int64
    let holder: String
    let idMasked: String
    let canReapply: Bool
    let offline: Bool
    let lastSynced: Int64?

    var body: some View {
        ScrollView {
            VStack(spacing: 10) {
                Title("pass_title")
                QRCodeView(matrix: qr, label: String(format: NSLocalizedString("qr_description %@ %lld", comment: ""), holder, refreshIn))
                Text(holder).font(.title3)
                Text(Formatting.groupedIdNumber(idMasked))
                    .accessibilityLabel(Formatting.spokenIdNumber(idMasked, hiddenWord: NSLocalizedString("hidden_digits", comment: "")))
                Text(String(format: NSLocalizedString("valid_until %@", comment: ""), Formatting.chinaDateTime(expiresAt)))
                HStack {
                    Text(String(format: NSLocalizedString("refresh_in %@", comment: ""), Formatting.countdown(refreshIn))).monospacedDigit()
                    Button("refresh") { model.refresh() }.buttonStyle(.bordered).disabled(model.busy)
                }
                Text(String(format: NSLocalizedString("reverify_in %@", comment: ""), Formatting.countdown(reverifyIn))).monospacedDigit()
                if offline {
                    Text(String(format: NSLocalizedString("offline_pass %@", comment: ""), lastSynced.map(Formatting.chinaDateTime) ?? "—"))
                }
                if canReapply { Button("reapply") { model.closePass(); model.route = .form } }
                Button("close_pass") { model.closePass() }
            }
        }
        .passScreenEffects()
    }
}

struct HistoryView: View {
    @EnvironmentObject var model: AppModel
    let entries: [HistoryEntry]?

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Title("history")
            if let entries {
                if entries.isEmpty { Text("history_empty") }
                List(entries, id: \.certificateId) { e in
                    VStack(alignment: .leading) {
                        Text("\(Formatting.chinaDateTime(e.issuedAt)) · \(e.city)")
                        Text(String(format: NSLocalizedString("valid_until %@", comment: ""), Formatting.chinaDateTime(e.expiresAt)))
                        Text(Formatting.groupedIdNumber(e.idNumberMasked))
                        Text(stateKey(e.state))
                    }
                    .accessibilityElement(children: .combine)
                }
            } else {
                Busy(label: "loading")
            }
            Button("back") { model.route = .home }
        }
    }

    private func stateKey(_ s: CertificateState) -> LocalizedStringKey {
        switch s {
        case .valid: return "state_valid"
        case .expired: return "state_expired"
        case .revoked: return "state_revoked"
        case .superseded: return "state_superseded"
        @unknown default: return "state_valid"
        }
    }
}
