//! Response codes and invitation tokens, property-tested: every valid response
//! round-trips through its code with any branch key and invitation, and any
//! single changed character of a code is caught by its check character, so a
//! mistyped or altered code is never read as another response.

use manyi::code::{self, KEY_LEN, NONCE_LEN};
use manyi::{Instrument, ProblemCode, MISSING};
use proptest::collection::vec;
use proptest::prelude::*;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A valid answer set for the built-in instrument: each code in range or MISSING.
fn answers() -> impl Strategy<Value = Vec<u8>> {
    let inst = Instrument::builtin();
    let per_question: Vec<BoxedStrategy<u8>> = inst
        .questions()
        .iter()
        .map(|q| {
            let n = q.len() as u8;
            prop_oneof![1 => Just(MISSING), 6 => 0..n].boxed()
        })
        .collect();
    per_question
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_valid_response_round_trips(
        codes in answers(),
        key in vec(any::<u8>(), KEY_LEN),
        nonce in vec(any::<u8>(), NONCE_LEN),
    ) {
        let inst = Instrument::builtin();
        let token = code::issue_token(&key, &nonce).unwrap();
        let text = code::encode_response(&inst, &codes, &token).unwrap();
        let back = code::intake(&inst, &key, &text).unwrap();
        prop_assert_eq!(back.codes, codes);
        prop_assert_eq!(back.token, token);
    }

    #[test]
    fn any_single_changed_character_is_caught(
        codes in answers(),
        key in vec(any::<u8>(), KEY_LEN),
        nonce in vec(any::<u8>(), NONCE_LEN),
        at in any::<prop::sample::Index>(),
        shift in 1usize..32,
    ) {
        let inst = Instrument::builtin();
        let token = code::issue_token(&key, &nonce).unwrap();
        let text = code::encode_response(&inst, &codes, &token).unwrap();
        let mut plain: Vec<u8> = text.bytes().filter(|&b| b != b'-').collect();
        let i = at.index(plain.len());
        let d = ALPHABET.iter().position(|&a| a == plain[i]).unwrap();
        plain[i] = ALPHABET[(d + shift) % 32];
        let changed = String::from_utf8(plain).unwrap();
        let err = code::intake(&inst, &key, &changed).unwrap_err();
        prop_assert_eq!(err.problems()[0].code, ProblemCode::BadChecksum);
    }
}
