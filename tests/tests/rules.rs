//! Journeys of the rules: the monthly quota, the 30-minute re-check, the 24 h expiry and the
//! re-apply window, ID numbers checked before anything is sent, minors, and the location permission.

use std::time::Duration;

use tempid_core::{ApplicationForm, LocationOutcome, MemoryStore, PassState, TempIdError};
use tempid_e2e::{CountingProxy, Recorder, World, describe, identity};
use time::macros::datetime;

const HOUR: Duration = Duration::from_secs(3_600);

async fn used_applications(phone: &tempid_e2e::Phone) -> u32 {
    phone
        .client
        .quota()
        .await
        .unwrap_or_else(|e| panic!("quota: {e}"))
        .used
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fourth_application_in_a_month_is_refused_and_reverifications_cost_nothing() {
    let world = World::start(datetime!(2026-11-02 08:00:00 +8)).await;
    let phone = world.phone(&MemoryStore::new(), 0, &world.issuer_url);
    phone.register("13800000003").await;
    let who = identity("陈静");
    for n in 1..=3u32 {
        phone.apply_as(&who).await;
        assert_eq!(used_applications(&phone).await, n);
        // Two re-verifications on this certificate: no application used.
        for _ in 0..2 {
            world.advance(Duration::from_secs(30 * 60));
            assert!(matches!(
                phone.client.state(),
                PassState::ReverificationRequired {
                    new_device: false,
                    ..
                }
            ));
            phone
                .client
                .reverify()
                .await
                .unwrap_or_else(|e| panic!("reverify: {e}"));
            assert!(matches!(phone.client.state(), PassState::Showing { .. }));
            assert_eq!(used_applications(&phone).await, n);
        }
        // To the re-apply window of this certificate (21 h after its application).
        world.advance(HOUR * 20);
    }
    phone.client.give_consent(true, true);
    let refused = phone
        .client
        .apply(ApplicationForm {
            id_number: who.id_number.clone(),
            name: who.name.clone(),
        })
        .await
        .expect_err("a fourth application in November");
    let TempIdError::QuotaExhausted {
        resets_on, hint, ..
    } = &refused
    else {
        panic!("{}: {refused}", refused.code())
    };
    assert_eq!(resets_on, "2026-12-01");
    assert!(hint.contains("station police window"), "{hint}");
    let PassState::QuotaExhausted { resets_on, hint } = phone.client.state() else {
        panic!("state {}", describe(&phone.client.state()))
    };
    assert_eq!(resets_on, "2026-12-01");
    assert!(hint.contains("2026-12-01"));
    // "OK" on the notice returns to what was under it: the pass page of the third certificate.
    phone.client.dismiss();
    assert!(
        matches!(
            phone.client.state(),
            PassState::ReverificationRequired {
                can_reapply: true,
                ..
            }
        ),
        "after dismiss: {}",
        describe(&phone.client.state())
    );
    // Back to the pass: the third certificate is still valid.
    phone.client.open_pass().unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        phone.client.state(),
        PassState::ReverificationRequired {
            can_reapply: true,
            ..
        }
    ));
    let quota = phone.client.quota().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((quota.used, quota.remaining, quota.limit), (3, 0, 3));
    let history = phone
        .client
        .history()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(history.len(), 3);
    assert!(
        history
            .iter()
            .all(|h| h.id_number_masked == "510107********789".to_string() + &who.id_number[17..])
    );
}

/// The shown pass's seconds to the re-check and its frame; panics naming `when` otherwise.
fn reverify_countdown(phone: &tempid_e2e::Phone, when: &str) -> (u32, String) {
    let state = phone.client.state();
    let PassState::Showing {
        seconds_to_reverify,
        frame_text,
        ..
    } = state
    else {
        panic!("{when}: {}", describe(&state))
    };
    (seconds_to_reverify, frame_text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverification_fires_at_exactly_thirty_minutes_whatever_the_wall_clock_does() {
    let world = World::start(datetime!(2026-11-04 12:00:00 +8)).await;
    let phone = world.phone(&MemoryStore::new(), 0, &world.issuer_url);
    phone.guest().await;
    phone.apply_as(&identity("刘洋")).await;
    let trust = world.trust_list().await;
    let (recorder, _observation) = Recorder::observe(&phone.client);

    world.advance(Duration::from_secs(29 * 60 + 59));
    let (seconds_to_reverify, _) = reverify_countdown(&phone, "at 29:59");
    assert_eq!(seconds_to_reverify, 1);
    // The person sets the phone's clock an hour ahead, then an hour behind: nothing changes.
    phone.clock.jump_wall(3_600_000);
    let (seconds_to_reverify, frame_text) = reverify_countdown(&phone, "after +1 h");
    assert_eq!(seconds_to_reverify, 1);
    assert!(
        world.gate(&trust, &frame_text).is_accepted(),
        "frames keep the issuer's minute"
    );
    phone.clock.jump_wall(-2 * 3_600_000);
    let (seconds_to_reverify, frame_text) = reverify_countdown(&phone, "after -1 h");
    assert_eq!(seconds_to_reverify, 1);
    assert!(world.gate(&trust, &frame_text).is_accepted());
    assert!(
        !recorder
            .states()
            .iter()
            .any(|s| matches!(s, PassState::ReverificationRequired { .. })),
        "nothing withdrew the pass before 30:00"
    );

    world.advance(Duration::from_secs(1));
    recorder
        .wait_for("re-verification required", |s| {
            matches!(s, PassState::ReverificationRequired { .. })
        })
        .await;
    assert!(matches!(
        phone.client.state(),
        PassState::ReverificationRequired {
            new_device: false,
            ..
        }
    ));

    let faces = phone.face.checks();
    phone
        .client
        .reverify()
        .await
        .unwrap_or_else(|e| panic!("reverify: {e}"));
    assert_eq!(phone.face.checks(), faces + 1);
    let (seconds_to_reverify, frame_text) = reverify_countdown(&phone, "after the face check");
    assert_eq!(seconds_to_reverify, 30 * 60);
    assert!(world.gate(&trust, &frame_text).is_accepted());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_after_24_hours_and_reapply_from_21_hours() {
    let world = World::start(datetime!(2026-11-05 06:00:00 +8)).await;
    let phone = world.phone(&MemoryStore::new(), 0, &world.issuer_url);
    phone.register("13800000004").await;
    let who = identity("张三丰");
    phone.apply_as(&who).await;
    let trust = world.trust_list().await;
    phone.client.close_pass();

    world.advance(HOUR * 21 - Duration::from_secs(1));
    let PassState::Ready {
        current_pass: Some(pass),
        ..
    } = phone.client.state()
    else {
        panic!("at 20:59:59: {}", describe(&phone.client.state()))
    };
    assert!(!pass.can_reapply, "no re-apply at 20:59:59");
    assert!(
        !pass.needs_face_check,
        "a registered user's closed pass reopens without a face check"
    );
    // Applying now is refused on the phone, before any request.
    let sent = phone.client.requests_sent();
    phone.client.give_consent(true, true);
    let early = phone
        .client
        .apply(ApplicationForm {
            id_number: who.id_number.clone(),
            name: who.name.clone(),
        })
        .await
        .expect_err("too early");
    assert!(
        matches!(early, TempIdError::ReapplyNotYet { .. }),
        "{}",
        early.code()
    );
    assert_eq!(phone.client.requests_sent(), sent);

    world.advance(Duration::from_secs(1));
    let PassState::Ready {
        current_pass: Some(pass),
        ..
    } = phone.client.state()
    else {
        panic!("at 21:00: {}", describe(&phone.client.state()))
    };
    assert!(pass.can_reapply, "re-apply offered from 21:00");
    phone.client.open_pass().unwrap_or_else(|e| panic!("{e}"));
    let PassState::Showing {
        can_reapply,
        frame_text,
        ..
    } = phone.client.state()
    else {
        panic!("reopened: {}", describe(&phone.client.state()))
    };
    assert!(can_reapply);
    assert!(world.gate(&trust, &frame_text).is_accepted());

    world.advance(HOUR * 3 - Duration::from_secs(1));
    assert!(
        matches!(
            phone.client.state(),
            PassState::ReverificationRequired {
                can_reapply: true,
                ..
            }
        ),
        "23:59:59"
    );
    world.advance(Duration::from_secs(1));
    let PassState::Expired { can_reapply, .. } = phone.client.state() else {
        panic!("at 24:00: {}", describe(&phone.client.state()))
    };
    assert!(can_reapply);
    assert_eq!(
        world.gate(&trust, &frame_text).reason(),
        Some(tempid_protocol::RejectReason::Expired)
    );
    // Re-applying after expiry is a new application and works.
    phone.apply_as(&who).await;
    let (text, _) = phone.showing();
    assert!(world.gate(&trust, &text).is_accepted());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_id_numbers_are_refused_before_any_request() {
    let world = World::start(datetime!(2026-11-06 18:00:00 +8)).await;
    let proxy = CountingProxy::start(world.issuer_addr().unwrap_or_else(|| panic!("issuer"))).await;
    let phone = world.phone(&MemoryStore::new(), 0, &proxy.url);
    phone.guest().await;
    phone
        .client
        .locate()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    phone.client.give_consent(true, true);
    let future_birth =
        tempid_protocol::id_number::with_check_character("11010520300101001").unwrap_or_default();
    let cases = [
        ("1101051949123100", "wrong_length"),
        ("11010519491231002Y", "bad_character"),
        ("99010519491231002X", "unknown_province"),
        ("110105194913310020", "impossible_birth_date"),
        (future_birth.as_str(), "future_birth_date"),
        ("110105194912310021", "wrong_check_character"),
    ];
    for (id_number, reason) in cases {
        let refused = phone
            .client
            .apply(ApplicationForm {
                id_number: id_number.into(),
                name: "张三丰".into(),
            })
            .await
            .expect_err(reason);
        let TempIdError::InvalidIdNumber {
            reason: got,
            summary: message,
            ..
        } = &refused
        else {
            panic!("{reason}: {}", refused.code())
        };
        assert_eq!(got, reason);
        assert!(
            !message.contains(id_number),
            "the message does not repeat the number"
        );
    }
    assert_eq!(phone.face.checks(), 0);
    assert_eq!(phone.client.requests_sent(), 0);
    assert_eq!(proxy.connections(), 0, "nothing reached the network");
    // The same phone through the same proxy with a valid number: requests flow.
    phone.apply_as(&identity("张三丰")).await;
    assert!(proxy.connections() >= 1);
    assert!(phone.client.requests_sent() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minors_with_an_id_card_may_apply() {
    let world = World::start(datetime!(2026-11-07 09:00:00 +8)).await;
    let trust = world.trust_list().await;
    for name in ["王小明", "赵宝宝"] {
        let minor = identity(name);
        let phone = world.phone(&MemoryStore::new(), 0, &world.issuer_url);
        phone.guest().await;
        phone.apply_as(&minor).await;
        let (text, _) = phone.showing();
        let verdict = world.gate(&trust, &text);
        let tempid_protocol::Verdict::Accepted(accepted) = verdict else {
            panic!("{name}: {verdict:?}")
        };
        assert_eq!(accepted.id_number.as_str(), minor.id_number);
        assert!(accepted.id_number.birth_date().year() >= 2015);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_denied_blocks_the_application_until_granted() {
    let world = World::start(datetime!(2026-11-09 10:00:00 +8)).await;
    let phone = world.phone(&MemoryStore::new(), 0, &world.issuer_url);
    phone.guest().await;
    phone.location.set(LocationOutcome::PermissionDenied);
    phone.client.give_consent(true, true);
    let who = identity("张三丰");
    let refused = phone
        .client
        .apply(ApplicationForm {
            id_number: who.id_number.clone(),
            name: who.name.clone(),
        })
        .await
        .expect_err("no city, no application");
    assert_eq!(refused.code(), "location_required", "{refused}");
    assert!(matches!(phone.client.state(), PassState::LocationDenied));
    assert_eq!(phone.face.checks(), 0, "no face check without a city");

    // "Back" leads home; granting the permission and re-locating lets the application through.
    phone.client.dismiss();
    assert!(
        matches!(phone.client.state(), PassState::Ready { city: None, .. }),
        "{}",
        describe(&phone.client.state())
    );
    phone.location.set(LocationOutcome::City {
        name: "成都".into(),
    });
    assert_eq!(
        phone
            .client
            .locate()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "成都"
    );
    phone.apply_as(&who).await;
    assert!(matches!(phone.client.state(), PassState::Showing { .. }));
}
