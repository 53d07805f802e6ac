// Conveniences over the generated TempIdError.

import Foundation

public extension TempIdError {
    /// What happened, then what to do next, in the client's language.
    var displayText: String { summary() + "\n" + hint() }
}
