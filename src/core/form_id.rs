//! Paper-form ids as a clerk types them.
//!
//! Paper questionnaires carry a printed number such as `X2023-0007`. A clerk
//! keying a pile in order types only the number that changes:
//!
//! - **Completion.** Digits alone (`7`) take the prefix and width of the last
//!   id keyed on the device (`X2023-0006` → `X2023-0007`). Anything else is
//!   taken as typed, trimmed.
//! - **No earlier id.** Digits alone with no earlier id to complete from (the
//!   first form on a device, or an earlier id with no prefix) are kept as
//!   typed, and the completion says so (`bare_number`), so the screen can
//!   warn before a form is saved as a bare `7`.
//! - **The next id** suggested for a new form is the last id with its
//!   trailing number plus one, keeping its width (`X2023-0099` →
//!   `X2023-0100`); none when the id does not end in digits.

use serde::Serialize;

/// A typed id, completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    /// The id the form will be saved as.
    pub id: String,
    /// Whether it differs from what was typed (the prefix was added).
    pub completed: bool,
    /// Digits alone that could not be completed: saved as a bare number.
    pub bare_number: bool,
}

/// `id` split before its trailing digits: (`X2023-`, `0007`).
fn split(id: &str) -> Option<(&str, &str)> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    (digits > 0).then(|| id.split_at(id.len() - digits))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Completes `typed` against `last`, the last id keyed on the device ("" if none).
pub fn complete(typed: &str, last: &str) -> Completion {
    let raw = typed.trim();
    if all_digits(raw) {
        if let Some((prefix, number)) = split(last.trim()).filter(|(p, _)| !p.is_empty()) {
            let id = format!("{prefix}{raw:0>width$}", width = number.len());
            return Completion {
                completed: id != raw,
                id,
                bare_number: false,
            };
        }
        return Completion {
            id: raw.to_owned(),
            completed: false,
            bare_number: true,
        };
    }
    Completion {
        id: raw.to_owned(),
        completed: false,
        bare_number: false,
    }
}

/// The id after `id`: its trailing number plus one, keeping the width.
pub fn next(id: &str) -> Option<String> {
    let (prefix, number) = split(id.trim())?;
    // Add one to the decimal string itself: no overflow however long it is.
    let mut digits: Vec<u8> = number.bytes().collect();
    let mut i = digits.len();
    loop {
        if i == 0 {
            digits.insert(0, b'1');
            break;
        }
        i -= 1;
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            break;
        }
    }
    Some(format!("{prefix}{}", String::from_utf8(digits).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_take_the_last_ids_prefix_and_width() {
        let c = complete(" 7 ", "X2023-0006");
        assert_eq!(c.id, "X2023-0007");
        assert!(c.completed && !c.bare_number);
        assert_eq!(complete("12345", "X2023-0006").id, "X2023-12345");
        assert_eq!(complete("0007", "X2023-0006").id, "X2023-0007");
    }

    #[test]
    fn anything_but_digits_is_taken_as_typed() {
        let c = complete(" Y2024-0001 ", "X2023-0006");
        assert_eq!(
            (c.id.as_str(), c.completed, c.bare_number),
            ("Y2024-0001", false, false)
        );
        assert_eq!(complete("", "X2023-0006").id, "");
        assert!(!complete("", "").bare_number);
    }

    #[test]
    fn digits_with_no_earlier_id_are_a_bare_number() {
        for last in ["", "  ", "0006", "ABC"] {
            let c = complete("7", last);
            assert_eq!(
                (c.id.as_str(), c.completed, c.bare_number),
                ("7", false, true),
                "{last:?}"
            );
        }
    }

    #[test]
    fn the_next_id_keeps_the_width_and_carries() {
        assert_eq!(next("X2023-0006").as_deref(), Some("X2023-0007"));
        assert_eq!(next("X2023-0099").as_deref(), Some("X2023-0100"));
        assert_eq!(next("X2023-9999").as_deref(), Some("X2023-10000"));
        assert_eq!(next("17").as_deref(), Some("18"));
        assert_eq!(next("X2023-").as_deref(), None);
        assert_eq!(next("").as_deref(), None);
        let long = "F".to_owned() + &"9".repeat(40);
        assert_eq!(next(&long).unwrap(), "F1".to_owned() + &"0".repeat(40));
    }
}
