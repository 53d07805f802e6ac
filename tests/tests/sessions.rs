//! Journeys of the session cache: a registered user's pass survives closing the app and needs a
//! face check after logout or clearing the cache; a guest's pass needs a face check whenever it
//! is reopened, and the issuer rebinds the certificate to the new device key.

use tempid_core::{MemoryStore, PassState};
use tempid_e2e::{World, describe, identity};
use tempid_protocol::{Frame, Verdict};
use time::macros::datetime;

fn device_key_of(frame_text: &str) -> tempid_protocol::DevicePublicKey {
    Frame::from_text(frame_text)
        .unwrap_or_else(|e| panic!("{e}"))
        .certificate()
        .claims()
        .device_key
        .clone()
}

fn cti_of(frame_text: &str) -> tempid_protocol::CertificateId {
    Frame::from_text(frame_text)
        .unwrap_or_else(|e| panic!("{e}"))
        .certificate()
        .claims()
        .cti
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_user_reopens_at_once_until_logout() {
    let world = World::start(datetime!(2026-11-08 08:00:00 +8)).await;
    let trust = world.trust_list().await;
    let store = MemoryStore::new();
    let phone = world.phone(&store, 0, &world.issuer_url);
    phone.register("13800000005").await;
    phone.apply_as(&identity("李四")).await;
    let (first, _) = phone.showing();
    drop(phone);

    // The app reopened: the QR at once, no face check.
    world.advance(std::time::Duration::from_secs(120));
    let phone = world.phone(&store, 0, &world.issuer_url);
    let state = phone.client.start().await.unwrap_or_else(|e| panic!("{e}"));
    let PassState::Showing { frame_text, .. } = state else {
        panic!("reopened: {}", describe(&state))
    };
    assert_eq!(phone.face.checks(), 0);
    assert!(world.gate(&trust, &frame_text).is_accepted());
    assert_eq!(device_key_of(&frame_text), device_key_of(&first));
    // Closing and reopening the page: at once, too.
    phone.client.close_pass();
    phone.client.open_pass().unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(phone.client.state(), PassState::Showing { .. }));

    // Log out: everything is wiped from the phone.
    phone
        .client
        .logout()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(phone.client.state(), PassState::SignedOut);
    assert!(store.keys().is_empty(), "left behind: {:?}", store.keys());
    drop(phone);
    let phone = world.phone(&store, 0, &world.issuer_url);
    assert_eq!(
        phone.client.start().await.unwrap_or_else(|e| panic!("{e}")),
        PassState::SignedOut
    );

    // Log in again: the certificate is offered, but a face check binds it to a new key.
    phone
        .client
        .login("13800000005".into(), "correct horse".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let PassState::Ready {
        current_pass: Some(pass),
        ..
    } = phone.client.state()
    else {
        panic!("after login: {}", describe(&phone.client.state()))
    };
    assert!(pass.needs_face_check);
    phone.reopen_on_a_new_key().await;
    assert_eq!(phone.face.checks(), 1);
    let (rebound, _) = phone.showing();
    assert!(world.gate(&trust, &rebound).is_accepted());
    assert_ne!(device_key_of(&rebound), device_key_of(&first));
    assert_eq!(
        cti_of(&rebound),
        cti_of(&first),
        "the same certificate, rebound"
    );
    assert_eq!(
        phone
            .client
            .quota()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .used,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_the_cache_needs_a_face_check() {
    let world = World::start(datetime!(2026-11-09 20:00:00 +8)).await;
    let trust = world.trust_list().await;
    let store = MemoryStore::new();
    let phone = world.phone(&store, 0, &world.issuer_url);
    phone.register("13800000006").await;
    phone.apply_as(&identity("欧阳娜娜")).await;
    let (first, _) = phone.showing();
    phone
        .client
        .clear_cache()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(phone.client.state(), PassState::SignedOut);
    assert!(store.keys().is_empty());
    drop(phone);
    let phone = world.phone(&store, 0, &world.issuer_url);
    assert_eq!(
        phone.client.start().await.unwrap_or_else(|e| panic!("{e}")),
        PassState::SignedOut
    );
    phone
        .client
        .login("13800000006".into(), "correct horse".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    phone.reopen_on_a_new_key().await;
    let (rebound, _) = phone.showing();
    assert!(world.gate(&trust, &rebound).is_accepted());
    assert_ne!(device_key_of(&rebound), device_key_of(&first));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_needs_a_face_check_to_reopen_and_the_certificate_is_rebound() {
    let world = World::start(datetime!(2026-11-10 07:45:00 +8)).await;
    let trust = world.trust_list().await;
    let store = MemoryStore::new();
    let phone = world.phone(&store, 0, &world.issuer_url);
    phone.guest().await;
    phone.apply_as(&identity("阿卜杜·买买提")).await;
    let (first, _) = phone.showing();
    assert!(world.gate(&trust, &first).is_accepted());

    // Closing the QR page drops the guest's key.
    phone.client.close_pass();
    let PassState::Ready {
        current_pass: Some(pass),
        guest: true,
        ..
    } = phone.client.state()
    else {
        panic!("closed: {}", describe(&phone.client.state()))
    };
    assert!(pass.needs_face_check);
    phone.reopen_on_a_new_key().await;
    let (second, _) = phone.showing();
    assert_ne!(
        device_key_of(&second),
        device_key_of(&first),
        "a new device key"
    );
    assert_eq!(cti_of(&second), cti_of(&first));
    let Verdict::Accepted(_) = world.gate(&trust, &second) else {
        panic!("rebound certificate refused")
    };
    assert_eq!(phone.face.checks(), 2);
    assert!(
        store.keys().iter().all(|k| !k.ends_with("device-key")),
        "a guest's key is never stored"
    );
    drop(phone);

    // The app reopened: a face check again, and again a new key.
    let phone = world.phone(&store, 0, &world.issuer_url);
    let state = phone.client.start().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(
            state,
            PassState::ReverificationRequired {
                new_device: true,
                ..
            }
        ),
        "{}",
        describe(&state)
    );
    phone
        .client
        .reverify()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (third, _) = phone.showing();
    assert_ne!(device_key_of(&third), device_key_of(&second));
    assert!(world.gate(&trust, &third).is_accepted());
}
