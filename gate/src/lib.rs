//! Offline verification at gates, windows and on trains: QR decoding, trust list, replay guard, scan statistics. Built in the gate issue.
