//! Concurrency: 200 simultaneous applications for one ID number, each with its own passed face
//! check prepared beforehand, on SQLite and PostgreSQL. The person's row serialises them: the
//! first wins, the rest see its still-valid certificate; across the month exactly 3
//! certificates are issued and the quota row agrees with the certificates.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::HashMap;

use common::{Db, Harness, Options, device_public};
use reqwest::{Client, StatusCode};
use tempid_issuer::RateLimits;
use tempid_protocol::api::{ErrorBody, ErrorCode, FaceCheckPurpose};
use tokio::task::JoinSet;

const CONCURRENCY: usize = 200;

async fn prepare_checks(h: &Harness, id: &str, name: &str, n: usize) -> Vec<String> {
    // Prepared 20 at a time: the point is the applications' race, not the face checks'.
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let batch = (n - out.len()).min(20);
        let futures: Vec<_> = (0..batch)
            .map(|_| h.pass(id, name, FaceCheckPurpose::Apply))
            .collect();
        for f in futures {
            out.push(f.await);
        }
    }
    out
}

/// Fires one application per face check, all at once; returns the count per outcome.
async fn fire(
    client: &Client,
    base: &str,
    requests: Vec<serde_json::Value>,
) -> HashMap<String, usize> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut set = JoinSet::new();
    for body in requests {
        let client = client.clone();
        let url = format!("{base}/v1/applications");
        let barrier = barrier.clone();
        set.spawn(async move {
            barrier.wait().await;
            let response = client.post(url).json(&body).send().await.expect("request");
            let status = response.status();
            let text = response.text().await.expect("body");
            if status == StatusCode::CREATED {
                "created".to_string()
            } else {
                let body: ErrorBody =
                    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}"));
                body.code.as_str().to_string()
            }
        });
    }
    let mut counts = HashMap::new();
    while let Some(outcome) = set.join_next().await {
        *counts.entry(outcome.expect("task")).or_insert(0) += 1;
    }
    counts
}

async fn one_person_200_concurrent(db: Db) {
    let options = Options {
        rate_limits: RateLimits::disabled(),
        ..Options::default()
    };
    let Some(h) = Harness::with(db, options).await else {
        return;
    };
    let person = &common::identities(1)[0];
    let (id, name) = (person.id_number.as_str(), person.name.as_str());
    let key = device_public(1);
    let mut issued = 0;
    for wave in 0..4 {
        let checks = prepare_checks(&h, id, name, CONCURRENCY).await;
        let requests = checks
            .iter()
            .map(|fc| serde_json::to_value(h.apply_request(fc, id, name, &key)).unwrap())
            .collect();
        let counts = fire(&h.client, &h.base, requests).await;
        let created = counts.get("created").copied().unwrap_or(0);
        issued += created;
        if wave < 3 {
            assert_eq!(created, 1, "wave {wave}: exactly one wins: {counts:?}");
            assert_eq!(
                counts.get(ErrorCode::CertificateStillValid.as_str()),
                Some(&(CONCURRENCY - 1)),
                "{counts:?}"
            );
        } else {
            assert_eq!(created, 0, "the month's quota is used up: {counts:?}");
            assert_eq!(
                counts.get(ErrorCode::QuotaExhausted.as_str()),
                Some(&CONCURRENCY),
                "{counts:?}"
            );
        }
        // The next wave opens the re-apply window (3 h before expiry), same month.
        h.clock.advance(time::Duration::hours(21));
    }
    assert_eq!(issued, 3, "exactly 3 certificates");
    let audit = h.running().issuer().store().quota_audit().await.unwrap();
    let mine: Vec<_> = audit.iter().filter(|(i, ..)| i == id).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].2, mine[0].3),
        (3, 3),
        "quota row agrees with the certificates"
    );
    h.stop().await;
}

async fn many_people_concurrent(db: Db) {
    let options = Options {
        rate_limits: RateLimits::disabled(),
        identities: common::identities(CONCURRENCY),
        ..Options::default()
    };
    let Some(h) = Harness::with(db, options).await else {
        return;
    };
    let people = common::identities(CONCURRENCY);
    let key = device_public(2);
    let mut requests = Vec::new();
    for person in &people {
        let fc = h
            .pass(&person.id_number, &person.name, FaceCheckPurpose::Apply)
            .await;
        requests.push(
            serde_json::to_value(h.apply_request(&fc, &person.id_number, &person.name, &key))
                .unwrap(),
        );
    }
    let counts = fire(&h.client, &h.base, requests).await;
    assert_eq!(
        counts.get("created"),
        Some(&CONCURRENCY),
        "distinct people never block each other: {counts:?}"
    );
    let audit = h.running().issuer().store().quota_audit().await.unwrap();
    assert_eq!(audit.len(), CONCURRENCY);
    assert!(
        audit
            .iter()
            .all(|(_, _, issued, used)| *issued == 1 && *used == 1)
    );
    h.stop().await;
}

on_both!(one_person_200_concurrent, many_people_concurrent);
