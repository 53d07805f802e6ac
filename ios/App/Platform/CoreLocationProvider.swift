import CoreLocation
import Foundation
import TempIdCore

/// The core's `LocationProvider` over Core Location: one reduced-accuracy fix, reverse-geocoded
/// by `CLGeocoder` to a city name. Permission denied / restricted and "no position" are distinct
/// outcomes. The core calls it on a worker thread; Core Location runs on the main thread, and
/// this thread waits (with a timeout) for its answer.
final class CoreLocationProvider: NSObject, LocationProvider, CLLocationManagerDelegate, @unchecked Sendable {
    private var manager: CLLocationManager?
    private var fix: ((Result<CLLocation, Error>) -> Void)?
    private static var permissionWaiters: [() -> Void] = []
    private static let permissionManager = CLLocationManager()

    /// Asks for "when in use" permission if it was never asked, then calls `done` (on main).
    @MainActor static func requestPermission(_ done: @escaping () -> Void) {
        if permissionManager.authorizationStatus == .notDetermined {
            permissionWaiters.append(done)
            permissionManager.delegate = PermissionDelegate.shared
            permissionManager.requestWhenInUseAuthorization()
        } else {
            done()
        }
    }

    private final class PermissionDelegate: NSObject, CLLocationManagerDelegate {
        static let shared = PermissionDelegate()
        func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
            guard manager.authorizationStatus != .notDetermined else { return }
            let waiters = CoreLocationProvider.permissionWaiters
            CoreLocationProvider.permissionWaiters = []
            waiters.forEach { $0() }
        }
    }

    func currentCity() throws -> LocationOutcome {
        let status = CLLocationManager().authorizationStatus
        switch status {
        case .denied, .restricted:
            return .permissionDenied
        case .notDetermined:
            // Never asked: the shell asks on the "re-locate" tap; without an answer it is denied.
            return .permissionDenied
        default:
            break
        }
        guard CLLocationManager.locationServicesEnabled() else {
            return .unavailable(reason: "location services are off")
        }
        let semaphore = DispatchSemaphore(value: 0)
        var outcome: Result<CLLocation, Error> = .failure(CLError(.locationUnknown))
        DispatchQueue.main.async {
            let manager = CLLocationManager()
            manager.desiredAccuracy = kCLLocationAccuracyKilometer
            manager.delegate = self
            self.manager = manager
            self.fix = { result in outcome = result; semaphore.signal() }
            manager.requestLocation()
        }
        if semaphore.wait(timeout: .now() + 20) == .timedOut {
            return .unavailable(reason: "no position within 20 s")
        }
        let location: CLLocation
        switch outcome {
        case let .success(l): location = l
        case let .failure(error):
            if (error as? CLError)?.code == .denied { return .permissionDenied }
            return .unavailable(reason: "core location: \((error as NSError).code)")
        }
        return geocode(location)
    }

    private func geocode(_ location: CLLocation) -> LocationOutcome {
        let semaphore = DispatchSemaphore(value: 0)
        var placemark: CLPlacemark?
        var failure: Error?
        // City names as the passenger reads them: Chinese.
        CLGeocoder().reverseGeocodeLocation(location, preferredLocale: Foundation.Locale(identifier: "zh_Hans_CN")) { marks, error in
            placemark = marks?.first
            failure = error
            semaphore.signal()
        }
        if semaphore.wait(timeout: .now() + 15) == .timedOut { return .unavailable(reason: "geocoder timed out") }
        // Municipalities (北京, 上海 …) have no locality on some devices: use the administrative area.
        if let city = placemark?.locality ?? placemark?.administrativeArea { return .city(name: city) }
        return .unavailable(reason: failure.map { "geocoder: \(($0 as NSError).code)" } ?? "no city for this position")
    }

    func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        if let last = locations.last { fix?(.success(last)); fix = nil }
    }

    func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        fix?(.failure(error)); fix = nil
    }
}
