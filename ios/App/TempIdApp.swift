import Foundation
import SwiftUI
import TempIdCore

/// The app: builds the one `TempIdClient` with the platform capabilities, then draws its state.
@main
struct TempIdApp: App {
    @StateObject private var model: AppModel

    init() {
        let issuer = Bundle.main.object(forInfoDictionaryKey: "TempIdIssuerURL") as? String ?? ""
        let version = Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "0.0.0"
        let english = Foundation.Locale.preferredLanguages.first?.hasPrefix("en") ?? false
        let config = ClientConfig(
            issuerUrl: issuer,
            appVersion: version,
            storageNamespace: "org.tempid.app.v1",
            locale: english ? .en : .zhCn
        )
        do {
            let client = try TempIdClient(
                config: config,
                liveness: FaceSdkLivenessVerifier(sdk: FaceSdks.defaultSdk()),
                location: CoreLocationProvider(),
                // The session cache: the core's default (the iOS keychain, protected store).
                secureStore: nil,
                // Device keys in the Secure Enclave when the phone has one; else the core's keys.
                deviceKeys: SecureEnclaveDeviceKeys.ifAvailable()
            )
            _model = StateObject(wrappedValue: AppModel(client: client))
        } catch {
            // Without a client nothing works; fail loudly in development, never silently.
            fatalError("cannot start the tempid core: \(error)")
        }
    }

    var body: some Scene {
        WindowGroup {
            RootView().environmentObject(model)
        }
    }
}
