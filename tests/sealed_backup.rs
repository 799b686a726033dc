//! The encrypted backup's envelope (src/core/sealed_backup.rs): what is one, and
//! every field refused with its name before a passphrase is asked for.

use manyi::sealed_backup::{self as envelope, Envelope, MAX_ITERATIONS};
use manyi::ErrorKind;
use serde_json::json;

fn sealed() -> Envelope {
    Envelope {
        iterations: 600_000,
        salt: (0..16).collect(),
        data: (0..40).collect(),
    }
}

#[test]
fn an_envelope_round_trips_and_is_recognised_by_its_head() {
    let bytes = envelope::write(&sealed()).unwrap();
    assert_eq!(envelope::read(&bytes).unwrap(), sealed());
    assert!(envelope::is_envelope(&bytes[..40]));
    assert!(envelope::is_envelope(
        b" \n{ \"format\" :\t\"manyi-encrypted-backup\", \"v\": 1"
    ));
    // A plain backup, and an envelope whose format comes second, are not.
    assert!(!envelope::is_envelope(
        b"{\"format\":\"manyi-device-backup\"}"
    ));
    assert!(!envelope::is_envelope(
        b"{\"v\":1,\"format\":\"manyi-encrypted-backup\"}"
    ));
    assert!(!envelope::is_envelope(b""));
}

/// The field an envelope with `field` set to `value` is refused for.
fn refused(field: &str, value: serde_json::Value) -> (String, String) {
    let mut file = json!({
        "format": "manyi-encrypted-backup", "v": 1, "iterations": 600000,
        "salt": envelope::encode(&[7; 16]), "data": envelope::encode(&[9; 28]),
    });
    file[field] = value;
    let e = envelope::read(file.to_string().as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Backup);
    let p = &e.problems()[0];
    (p.field.clone().unwrap_or_default(), e.to_string())
}

#[test]
fn a_file_asking_for_hours_of_key_derivation_is_refused_at_once() {
    let (field, message) = refused("iterations", json!(1_000_000_000_000u64));
    assert_eq!(field, "iterations");
    assert!(
        message.contains("outside the 1 to 6000000 allowed"),
        "{message}"
    );
    assert_eq!(refused("iterations", json!(0)).0, "iterations");
    assert_eq!(
        refused("iterations", json!(MAX_ITERATIONS + 1)).0,
        "iterations"
    );
    let mut ok = sealed();
    ok.iterations = MAX_ITERATIONS;
    assert!(envelope::write(&ok).is_ok());
    ok.iterations = MAX_ITERATIONS + 1;
    assert!(envelope::write(&ok).is_err());
}

#[test]
fn each_malformed_field_is_named() {
    assert_eq!(refused("format", json!("manyi-device-backup")).0, "format");
    assert_eq!(refused("v", json!(2)).0, "v");
    assert_eq!(refused("salt", json!("not base64!")).0, "salt");
    assert_eq!(refused("salt", json!(envelope::encode(&[1; 8]))).0, "salt");
    assert_eq!(refused("data", json!(envelope::encode(&[1; 27]))).0, "data");
    // A wrong type or a missing field is named too.
    assert_eq!(refused("iterations", json!("600000")).0, "iterations");
    assert_eq!(refused("iterations", json!(600000.5)).0, "iterations");
    assert_eq!(refused("data", json!(null)).0, "data");
    assert_eq!(refused("salt", json!(16)).0, "salt");
    let e = envelope::read(b"{\"format\": \"manyi-encrypted-backup\",\n oops}").unwrap_err();
    assert_eq!(e.problems()[0].line, Some(2));
}
