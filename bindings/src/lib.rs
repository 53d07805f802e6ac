//! The uniffi surface over `tempid-core` (exported objects, foreign traits, public error). Built in the FFI issue.
