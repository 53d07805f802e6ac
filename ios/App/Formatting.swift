import Foundation

/// Locale-independent text the screens show (the Swift twin of Android's `org.tempid.ui.Formatting`,
/// which is JVM-tested): countdowns, times in China Standard Time, masked numbers grouped.
/// Every number comes from the core's `PassState`; nothing here decides anything.
enum Formatting {
    static let china = TimeZone(identifier: "Asia/Shanghai")!

    private static let dateTime: DateFormatter = {
        let f = DateFormatter()
        f.locale = Foundation.Locale(identifier: "en_US_POSIX")
        f.timeZone = china
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f
    }()

    /// `42` → `0:42`, `1799` → `29:59`, `3723` → `1:02:03`.
    static func countdown(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        let h = s / 3600, m = (s % 3600) / 60, sec = s % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, sec) : String(format: "%d:%02d", m, sec)
    }

    /// Unix seconds → `2026-11-26 14:05`, China Standard Time, whatever the phone's zone.
    static func chinaDateTime(_ unixSeconds: Int64) -> String {
        dateTime.string(from: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
    }

    /// `110105********002X` → `110105 ******** 002X`.
    static func groupedIdNumber(_ masked: String) -> String {
        guard masked.count == 18 else { return masked }
        let c = Array(masked)
        return "\(String(c[0..<6])) \(String(c[6..<14])) \(String(c[14...]))"
    }

    /// For VoiceOver: the visible digits, the masked run said once as `hiddenWord`.
    static func spokenIdNumber(_ masked: String, hiddenWord: String) -> String {
        masked.replacingOccurrences(of: "\\*+", with: " \(hiddenWord) ", options: .regularExpression)
            .trimmingCharacters(in: .whitespaces)
    }
}
