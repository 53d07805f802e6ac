//! End-to-end journeys of the whole system (issuer + core + gate), headless, in virtual time. Built in the core issue.
