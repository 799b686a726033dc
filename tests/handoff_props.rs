//! Response codes and invitation tokens, property-tested: every valid response
//! round-trips through its code with any branch key and invitation; any
//! single changed character of a code is caught by its check character, so a
//! mistyped or altered code is never read as another response; and a relay
//! that re-encodes a code with other answers (holding the token, the page's
//! own encoder, but not the link's secret) is refused by the seal.

use manyi::handoff::{self as code, KEY_LEN, NONCE_LEN};
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
        let secret = code::answer_secret(&key, &token).unwrap();
        let text = code::encode_response(&inst, &codes, &token, &secret).unwrap();
        prop_assert_eq!(text.replace('-', "").len(), 45);
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
        let secret = code::answer_secret(&key, &token).unwrap();
        let text = code::encode_response(&inst, &codes, &token, &secret).unwrap();
        let mut plain: Vec<u8> = text.bytes().filter(|&b| b != b'-').collect();
        let i = at.index(plain.len());
        let d = ALPHABET.iter().position(|&a| a == plain[i]).unwrap();
        plain[i] = ALPHABET[(d + shift) % 32];
        let changed = String::from_utf8(plain).unwrap();
        let err = code::intake(&inst, &key, &changed).unwrap_err();
        prop_assert_eq!(err.problems()[0].code, ProblemCode::BadChecksum);
    }

    #[test]
    fn a_relay_without_the_secret_cannot_rewrite_the_answers(
        codes in answers(),
        other in answers(),
        key in vec(any::<u8>(), KEY_LEN),
        nonce in vec(any::<u8>(), NONCE_LEN),
        guess in vec(any::<u8>(), 10),
    ) {
        prop_assume!(codes != other);
        let inst = Instrument::builtin();
        let token = code::issue_token(&key, &nonce).unwrap();
        let secret = code::answer_secret(&key, &token).unwrap();
        prop_assert_eq!(secret.len(), code::SECRET_CHARS);
        let honest = code::encode_response(&inst, &codes, &token, &secret).unwrap();
        prop_assert!(code::intake(&inst, &key, &honest).is_ok());
        // The relay re-encodes the code with other answers, with any secret but the link's.
        let guessed: String = guess.iter().take(code::SECRET_CHARS).map(|b| ALPHABET[usize::from(b % 32)] as char).chain(std::iter::repeat('0')).take(code::SECRET_CHARS).collect();
        prop_assume!(guessed != secret);
        let forged = code::encode_response(&inst, &other, &token, &guessed).unwrap();
        let err = code::intake(&inst, &key, &forged).unwrap_err();
        prop_assert_eq!(err.problems()[0].code, ProblemCode::BadSeal);
        // Or keeps the honest seal and changes only the answers (with a valid check character).
        let mut spliced: Vec<u8> = forged.bytes().filter(|&b| b != b'-').collect();
        let plain: Vec<u8> = honest.bytes().filter(|&b| b != b'-').collect();
        let n = plain.len();
        spliced[n - 1 - code::SEAL_CHARS..].copy_from_slice(&plain[n - 1 - code::SEAL_CHARS..]);
        let body = &spliced[..n - 1];
        spliced[n - 1] = ALPHABET[usize::from(luhn(body))];
        let spliced = String::from_utf8(spliced).unwrap();
        let err = code::intake(&inst, &key, &spliced).unwrap_err();
        prop_assert_eq!(err.problems()[0].code, ProblemCode::BadSeal);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A code in any chat text, with dashes, blanks or neither, is found as
    /// written; the text around it (other long runs of digits and letters) is never a code.
    #[test]
    fn codes_are_found_in_any_text_and_nothing_else_is(
        codes in answers(),
        key in vec(any::<u8>(), KEY_LEN),
        nonce in vec(any::<u8>(), NONCE_LEN),
        before in "[ 0-9a-zA-Z:，。\n-]{0,40}",
        after in "[ 0-9a-zA-Z:，。\n-]{0,40}",
        style in 0usize..3,
    ) {
        let inst = Instrument::builtin();
        let token = code::issue_token(&key, &nonce).unwrap();
        let secret = code::answer_secret(&key, &token).unwrap();
        let text = code::encode_response(&inst, &codes, &token, &secret).unwrap();
        let written = match style { 0 => text.clone(), 1 => text.replace('-', ""), _ => text.replace('-', " ").to_lowercase() };
        let noise = |s: &str| code::find_codes(&inst, s).codes.is_empty();
        // Noise alone (under 45 characters) is never code-shaped.
        prop_assert!(noise(&before) && noise(&after));
        let pasted = format!("{before}\n{written}\n{after} {token} 12345678901234567890");
        let scan = code::find_codes(&inst, &pasted);
        prop_assert_eq!(scan.codes, vec![written]);
        prop_assert!(scan.others.contains(&token));
    }
}

/// Luhn mod 32 over base-32 characters, as a relay with the published layout would compute it.
fn luhn(chars: &[u8]) -> u8 {
    let mut sum = 0u32;
    let mut factor = 2;
    for &c in chars.iter().rev() {
        let d = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        let addend = factor * d;
        sum += addend / 32 + addend % 32;
        factor = if factor == 2 { 1 } else { 2 };
    }
    ((32 - sum % 32) % 32) as u8
}
