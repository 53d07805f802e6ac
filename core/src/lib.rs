//! The passenger app's brain: flow state machine, HTTP client to the issuer, session cache, 60 s frame timer, 30-minute re-verification and QR rendering. Built in the core issue.
