//! Journeys of the pass itself: apply, show, verify at a gate, a new frame every minute
//! boundary, a phone clock that is wrong, and an issuer that goes away.

use std::time::Duration;

use tempid_core::{MemoryStore, PassState};
use tempid_e2e::{Recorder, World, describe, identity};
use tempid_protocol::{RejectReason, slot_of};
use time::macros::datetime;

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_show_and_verify_then_a_new_frame_at_the_next_slot() {
    // 20 s into a minute: the first frame lasts 40 s, not 60.
    let world = World::start(datetime!(2026-11-02 09:00:20 +8)).await;
    let phone = world.phone(&MemoryStore::new(), 0, &world.issuer_url);
    phone.register("13800000001").await;
    assert!(matches!(
        phone.client.state(),
        PassState::Ready { guest: false, .. }
    ));
    let city = phone
        .client
        .locate()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(city, "北京");
    let who = identity("张三丰");
    phone.apply_as(&who).await;
    assert_eq!(phone.face.checks(), 1);

    let (recorder, _observation) = Recorder::observe(&phone.client);
    let PassState::Showing {
        frame_text,
        slot,
        seconds_to_refresh,
        seconds_to_reverify,
        holder_name_masked,
        id_number_masked,
        can_reapply,
        offline,
        ..
    } = phone.client.state()
    else {
        panic!("not showing: {}", describe(&phone.client.state()))
    };
    assert_eq!(slot, slot_of(world.now_seconds()));
    assert_eq!(seconds_to_refresh, 40);
    assert_eq!(seconds_to_reverify, 30 * 60);
    assert_eq!(holder_name_masked, "张*丰");
    assert_eq!(id_number_masked, "110105********002X");
    assert!(!can_reapply && !offline);

    let trust = world.trust_list().await;
    let verdict = world.gate(&trust, &frame_text);
    let tempid_protocol::Verdict::Accepted(accepted) = verdict else {
        panic!("gate refused: {verdict:?}")
    };
    assert_eq!(accepted.id_number.as_str(), who.id_number);
    assert_eq!(accepted.masked_name, "张*丰");

    // 39 s later: still the same frame.
    world.advance(Duration::from_secs(39));
    assert_eq!(phone.showing(), (frame_text.clone(), slot));
    // At the minute boundary: a new frame for the next slot, pushed to the observer.
    world.advance(Duration::from_secs(1));
    let pushed = recorder
        .wait_for(
            "the next slot",
            |s| matches!(s, PassState::Showing { slot: s2, .. } if *s2 == slot + 1),
        )
        .await;
    let PassState::Showing {
        frame_text: next_text,
        seconds_to_refresh,
        ..
    } = pushed
    else {
        unreachable!()
    };
    assert_ne!(next_text, frame_text);
    assert_eq!(seconds_to_refresh, 60);
    assert!(world.gate(&trust, &next_text).is_accepted());
    // 60 s later again.
    world.advance(MINUTE);
    let (third, third_slot) = phone.showing();
    assert_eq!(third_slot, slot + 2);
    assert!(world.gate(&trust, &third).is_accepted());
    // The first frame, now two slots old, is a screenshot: refused.
    assert_eq!(
        world.gate(&trust, &frame_text).reason(),
        Some(RejectReason::StaleFrame)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_clock_ten_minutes_fast_still_shows_accepted_frames() {
    let world = World::start(datetime!(2026-11-02 10:15:00 +8)).await;
    let fast = 10 * 60 * 1_000;
    let phone = world.phone(&MemoryStore::new(), fast, &world.issuer_url);
    phone.guest().await;
    phone.apply_as(&identity("李四")).await;
    let trust = world.trust_list().await;
    for _ in 0..3 {
        let (text, slot) = phone.showing();
        assert_eq!(
            slot,
            slot_of(world.now_seconds()),
            "the issuer's minute, not the phone's"
        );
        assert_ne!(
            slot,
            slot_of(tempid_core::Clock::wall_ms(&phone.clock).div_euclid(1_000)),
            "the phone's own clock would be 10 slots off"
        );
        assert!(world.gate(&trust, &text).is_accepted());
        world.advance(MINUTE);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_after_issuance_frames_are_still_produced_and_accepted() {
    let mut world = World::start(datetime!(2026-11-03 07:30:10 +8)).await;
    let store = MemoryStore::new();
    // A phone 10 minutes slow: the clock correction must survive the network going away, and
    // the app being reopened offline.
    let slow = -10 * 60 * 1_000;
    let phone = world.phone(&store, slow, &world.issuer_url);
    phone.register("13800000002").await;
    phone.apply_as(&identity("欧阳娜娜")).await;
    let trust = world.trust_list().await;
    world.shut_down_issuer().await;

    for _ in 0..5 {
        world.advance(MINUTE);
        let (text, _) = phone.showing();
        assert!(world.gate(&trust, &text).is_accepted());
    }
    // The refresh button offline: redraws, says it could not sync, and the pass stays.
    let outcome = phone
        .client
        .refresh()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.synced);
    assert!(outcome.last_synced.is_some());
    let PassState::Showing {
        offline,
        last_synced,
        frame_text,
        ..
    } = phone.client.state()
    else {
        panic!("not showing offline: {}", describe(&phone.client.state()))
    };
    assert!(offline && last_synced.is_some());
    assert!(world.gate(&trust, &frame_text).is_accepted());

    // The app closed and reopened, still offline: the cached pass shows at once with the cached
    // clock correction.
    let faces_before = phone.face.checks();
    drop(phone);
    world.advance(Duration::from_secs(95));
    let reopened = world.phone(&store, slow, &world.issuer_url);
    let state = reopened
        .client
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let PassState::Showing {
        frame_text, slot, ..
    } = state
    else {
        panic!("not showing: {}", describe(&state))
    };
    assert_eq!(slot, slot_of(world.now_seconds()));
    assert!(world.gate(&trust, &frame_text).is_accepted());
    assert_eq!(
        reopened.face.checks(),
        0,
        "no face check to reopen (had {faces_before} before)"
    );
    let outcome = reopened
        .client
        .refresh()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.synced);
}
