//! The staff lock's rules: what a staff passphrase must be, how hard it is to
//! guess offline, and how much a wrong try costs.
//!
//! The device store is encrypted at rest with a random data key, itself kept
//! only wrapped by a key derived from the staff passphrase (PBKDF2-SHA-256
//! with [`PBKDF2_ITERATIONS`] iterations, OWASP's 2023 figure; the browser's
//! WebCrypto does the work, see DESIGN.md "Security"). A passphrase has at
//! least [`MIN_CHARS`] characters and is not one character repeated. After
//! [`FREE_TRIES`] wrong tries in a row, each further try waits
//! [`unlock_delay`] seconds: 1, 2, 4, … up to [`MAX_DELAY`] (an hour), so a
//! person guessing at the screen gets a few dozen tries a day. The delay
//! guards the screen; the iteration count guards a copy of the disk.

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};

/// PBKDF2-SHA-256 iterations that derive the key wrapping the data key.
pub const PBKDF2_ITERATIONS: u32 = 600_000;
/// Fewest characters in a staff passphrase.
pub const MIN_CHARS: usize = 8;
/// Most characters (a passphrase, not a document).
pub const MAX_CHARS: usize = 200;
/// Wrong tries in a row before the lock starts to wait.
pub const FREE_TRIES: u32 = 3;
/// Longest wait between tries, in seconds.
pub const MAX_DELAY: u32 = 3600;

/// Seconds to wait before the next try after `failures` wrong tries in a row.
pub fn unlock_delay(failures: u32) -> u32 {
    if failures < FREE_TRIES {
        return 0;
    }
    let doublings = failures - FREE_TRIES;
    if doublings >= 12 {
        MAX_DELAY
    } else {
        (1u32 << doublings).min(MAX_DELAY)
    }
}

/// Checks a new staff passphrase; the error says what is wrong.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    let chars = passphrase.chars().count();
    let refuse = |message: String| {
        Err(Error::single(
            ErrorKind::Request,
            Problem::new(ProblemCode::WeakPassphrase, message).in_field("passphrase"),
        ))
    };
    if chars < MIN_CHARS {
        return refuse(format!(
            "a staff passphrase has at least {MIN_CHARS} characters, not {chars}"
        ));
    }
    if chars > MAX_CHARS {
        return refuse(format!(
            "a staff passphrase has at most {MAX_CHARS} characters, not {chars}"
        ));
    }
    let mut it = passphrase.chars();
    let first = it.next();
    if it.all(|c| Some(c) == first) {
        return refuse("a staff passphrase is not one character repeated".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_tries_slow_down_up_to_an_hour() {
        let delays: Vec<u32> = (0..20).map(unlock_delay).collect();
        assert_eq!(&delays[..8], &[0, 0, 0, 1, 2, 4, 8, 16]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(unlock_delay(14), 2048);
        assert_eq!(unlock_delay(15), MAX_DELAY);
        assert_eq!(unlock_delay(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn passphrases_are_long_enough_and_not_one_character() {
        assert!(check_passphrase("网点员工专用口令").is_ok());
        assert!(check_passphrase("correct horse").is_ok());
        for bad in [
            "",
            "short",
            "aaaaaaaaaaaa",
            "一二三四五六七",
            &"x".repeat(201),
        ] {
            let e = check_passphrase(bad).unwrap_err();
            assert_eq!(e.problems()[0].code, ProblemCode::WeakPassphrase, "{bad}");
        }
    }
}
