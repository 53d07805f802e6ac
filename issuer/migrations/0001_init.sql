-- tempid issuer schema. Portable SQL: the same file runs on SQLite and PostgreSQL (TEXT and
-- BIGINT only; times are Unix seconds; ids are random text).

CREATE TABLE accounts (
    account_id    TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    -- The holder of the account's first application (history, quota, current certificate).
    id_number     TEXT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE face_checks (
    face_check_id        TEXT PRIMARY KEY,
    challenge            TEXT NOT NULL,
    id_number            TEXT NOT NULL,
    name                 TEXT NOT NULL,
    purpose              TEXT NOT NULL,
    account_id           TEXT,
    -- pending -> passed | failed; passed -> consumed (apply, reverify).
    status               TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    challenge_expires_at BIGINT NOT NULL,
    valid_until          BIGINT,
    consumed_at          BIGINT
);
CREATE INDEX face_checks_by_created ON face_checks (created_at);

-- One row per person: the lock every application and re-verification of that person takes,
-- and the current certificate.
CREATE TABLE persons (
    id_number   TEXT PRIMARY KEY,
    current_cti TEXT,
    updated_at  BIGINT NOT NULL
);

-- Applications per person per calendar month in China Standard Time (`YYYY-MM`).
CREATE TABLE quota_usage (
    id_number TEXT NOT NULL,
    month     TEXT NOT NULL,
    used      BIGINT NOT NULL,
    PRIMARY KEY (id_number, month)
);

CREATE TABLE certificates (
    cti           TEXT PRIMARY KEY,
    id_number     TEXT NOT NULL,
    name          TEXT NOT NULL,
    month         TEXT NOT NULL,
    city          TEXT NOT NULL,
    account_id    TEXT,
    face_check_id TEXT NOT NULL,
    kid           TEXT NOT NULL,
    device_key    TEXT NOT NULL,
    certificate   TEXT NOT NULL,
    issued_at     BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    superseded_at BIGINT,
    rebound_at    BIGINT
);
CREATE INDEX certificates_by_person ON certificates (id_number, issued_at);

CREATE TABLE revocations (
    cti        TEXT PRIMARY KEY,
    revoked_at BIGINT NOT NULL
);

CREATE TABLE scan_batches (
    batch_id    TEXT PRIMARY KEY,
    gate_id     TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

CREATE TABLE scan_totals (
    checkpoint TEXT PRIMARY KEY,
    accepted   BIGINT NOT NULL,
    rejected   BIGINT NOT NULL
);
