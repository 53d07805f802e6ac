import SwiftUI
import UIKit

/// While the QR code is on screen: full brightness, the idle timer off (the screen stays on),
/// and awareness of screenshots and recording (a recorded or mirrored screen hides the code; a
/// screenshot gets a notice — a frame is worth at most its tolerance window anyway). Brightness
/// and the idle timer are restored when the code leaves the screen or the app goes to the
/// background.
struct PassScreenEffects: ViewModifier {
    @State private var savedBrightness: CGFloat?
    @State private var captured = UIScreen.main.isCaptured
    @State private var screenshotTaken = false
    @Environment(\.scenePhase) private var phase

    func body(content: Content) -> some View {
        content
            .overlay {
                if captured {
                    ZStack {
                        Color(.systemBackground)
                        Text("screen_captured").multilineTextAlignment(.center).padding()
                    }
                }
            }
            .alert("screenshot_notice", isPresented: $screenshotTaken) { Button("dismiss", role: .cancel) {} }
            .onAppear(perform: raise)
            .onDisappear(perform: restore)
            .onChange(of: phase) { newPhase in newPhase == .active ? raise() : restore() }
            .onReceive(NotificationCenter.default.publisher(for: UIScreen.capturedDidChangeNotification)) { _ in
                captured = UIScreen.main.isCaptured
            }
            .onReceive(NotificationCenter.default.publisher(for: UIApplication.userDidTakeScreenshotNotification)) { _ in
                screenshotTaken = true
            }
    }

    private func raise() {
        if savedBrightness == nil { savedBrightness = UIScreen.main.brightness }
        UIScreen.main.brightness = 1.0
        UIApplication.shared.isIdleTimerDisabled = true
    }

    private func restore() {
        if let saved = savedBrightness { UIScreen.main.brightness = saved }
        savedBrightness = nil
        UIApplication.shared.isIdleTimerDisabled = false
    }
}

extension View {
    /// See `PassScreenEffects`.
    func passScreenEffects() -> some View { modifier(PassScreenEffects()) }
}
