import Foundation
import TempIdCore

/// A platform face SDK (the identity authority's certified liveness component; the sandbox one in
/// DEBUG builds). It shows its own camera UI, captures the live face of the person named in the
/// request against its challenge, and returns the SDK's evidence (opaque). Blocking: the core
/// calls it on a worker thread.
protocol FaceSdk: Sendable {
    var name: String { get }
    func capture(_ request: FaceCheckRequest) throws -> String
}

/// The core's `LivenessVerifier` over a `FaceSdk`; anything the SDK throws becomes the declared
/// `PlatformError` (`.Cancelled`, `.PermissionDenied`, `.Unavailable`, `.Failed`).
final class FaceSdkLivenessVerifier: LivenessVerifier, @unchecked Sendable {
    private let sdk: FaceSdk
    init(sdk: FaceSdk) { self.sdk = sdk }

    func checkFace(request: FaceCheckRequest) throws -> String {
        do {
            return try sdk.capture(request)
        } catch let refusal as PlatformError {
            throw refusal
        } catch {
            throw PlatformError.Failed(reason: "\(sdk.name): \(type(of: error))")
        }
    }
}

/// The seam for the certified vendor SDK. Not in this repository: return an implementation here
/// (present its capture view controller, wait for its result on this worker thread, map cancel
/// and camera errors to `PlatformError.Cancelled` / `.PermissionDenied` / `.Unavailable`).
enum VendorFaceSdk {
    static func orNil() -> FaceSdk? { nil }
}

enum FaceSdks {
    /// The SDK this build uses: the vendor's; in DEBUG builds the sandbox when there is none.
    static func defaultSdk() -> FaceSdk {
        if let vendor = VendorFaceSdk.orNil() { return vendor }
        #if DEBUG
        return SandboxFaceSdk()
        #else
        fatalError("no face SDK integrated: add the vendor SDK (see ios/README.md)")
        #endif
    }
}

#if DEBUG
/// DEBUG only: the **sandbox** liveness component, through the binding's `SandboxLiveness` (the
/// library must be built with the `sandbox` feature). A sandbox issuer accepts it; no real
/// issuer does. Not compiled into Release builds at all.
struct SandboxFaceSdk: FaceSdk, @unchecked Sendable {
    let name = "sandbox"
    private let liveness = SandboxLiveness()
    func capture(_ request: FaceCheckRequest) throws -> String {
        liveness.liveEvidence(request: request)
    }
}
#endif
