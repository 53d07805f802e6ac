//! The reference issuing service: accounts, face checks through an identity authority, quota, certificates, trust list. Built in the issuer issue.
