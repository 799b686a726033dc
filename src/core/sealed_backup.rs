//! An encrypted backup's envelope: a backup file sealed with a passphrase of
//! its own, for safekeeping off the device.
//!
//! The file is `{"format": "manyi-encrypted-backup", "v": 1, "iterations": N,
//! "salt": "…", "data": "…"}`, salt and data in standard padded base64
//! (RFC 4648 §4). The key is PBKDF2-SHA-256 of the passphrase (NFC) with the
//! salt and `iterations`; `data` is AES-256-GCM's 12-byte nonce followed by
//! the ciphertext and its 16-byte tag. The browser's WebCrypto does the
//! cryptography; this module owns the file. Its rules:
//! - a file is an envelope when it opens (after blanks) with `{"format":
//!   "manyi-encrypted-backup"` ([`is_envelope`], which reads only its head);
//! - `v` is 1; `iterations` lies in 1..=[`MAX_ITERATIONS`], ten times the
//!   lock's [`PBKDF2_ITERATIONS`], with which envelopes are written: a file
//!   asking for more would hold the device for hours before any passphrase
//!   could be tried;
//! - `salt` is [`SALT_BYTES`] bytes and `data` at least [`MIN_DATA_BYTES`]
//!   (nonce and tag).

use serde::Serialize;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::lock::PBKDF2_ITERATIONS;

/// The `format` an envelope names.
pub const FORMAT: &str = "manyi-encrypted-backup";
/// Most PBKDF2 iterations an envelope may ask for.
pub const MAX_ITERATIONS: u32 = 10 * PBKDF2_ITERATIONS;
/// Bytes of salt.
pub const SALT_BYTES: usize = 16;
/// Fewest bytes of data: AES-GCM's 12-byte nonce and 16-byte tag.
pub const MIN_DATA_BYTES: usize = 12 + 16;

/// An envelope, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// The salt.
    pub salt: Vec<u8>,
    /// The nonce, ciphertext and tag.
    pub data: Vec<u8>,
}

#[derive(Serialize)]
struct File {
    format: String,
    v: u32,
    iterations: u64,
    salt: String,
    data: String,
}

/// Whether a file whose first bytes are `head` is an envelope.
pub fn is_envelope(head: &[u8]) -> bool {
    let mut rest = head;
    for token in [
        &b"{"[..],
        b"\"format\"",
        b":",
        b"\"manyi-encrypted-backup\"",
    ] {
        let start = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[start..];
        match rest.strip_prefix(token) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    true
}

fn bad(field: &str, message: String) -> Error {
    Error::single(
        ErrorKind::Backup,
        Problem::new(ProblemCode::SealedBackup, message).in_field(field),
    )
}

/// Reads an envelope; the error names the field that is wrong.
pub fn read(bytes: &[u8]) -> Result<Envelope> {
    // Read as text: the same parser as instruments' (from_slice would add another to the module).
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::single(
            ErrorKind::Backup,
            Problem::new(
                ProblemCode::SealedBackup,
                "not an encrypted backup: not UTF-8 text",
            ),
        )
    })?;
    let file: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::single(
            ErrorKind::Backup,
            Problem::new(
                ProblemCode::SealedBackup,
                format!("not an encrypted backup: {e}"),
            )
            .at_line(e.line()),
        )
    })?;
    // Each field by name: a wrong type or a missing field says which.
    let text_field = |name: &str| {
        file.get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| {
                bad(
                    name,
                    format!("the encrypted backup's {name:?} is missing or not text"),
                )
            })
    };
    let whole = |name: &str| {
        file.get(name)
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| {
                bad(
                    name,
                    format!("the encrypted backup's {name:?} is missing or not a whole number"),
                )
            })
    };
    let format = text_field("format")?;
    if format != FORMAT {
        return Err(bad(
            "format",
            format!("not an encrypted backup (format {format:?})"),
        ));
    }
    let v = whole("v")?;
    if v != 1 {
        return Err(bad(
            "v",
            format!("an encrypted backup of version {v}, which this version of manyi cannot open"),
        ));
    }
    let asked = whole("iterations")?;
    let iterations = u32::try_from(asked)
        .ok()
        .filter(|n| (1..=MAX_ITERATIONS).contains(n))
        .ok_or_else(|| {
            Error::single(
                ErrorKind::Backup,
                Problem::new(
                    ProblemCode::SealedBackup,
                    format!(
                        "this encrypted backup asks for {asked} key-derivation iterations, outside the 1 to \
                         {MAX_ITERATIONS} allowed: opening it could hold the device for hours"
                    ),
                )
                .in_field("iterations")
                .with_value(asked.to_string())
                .expecting(format!("1–{MAX_ITERATIONS}")),
            )
        })?;
    let (salt, data) = (text_field("salt")?, text_field("data")?);
    let salt = decode(salt).ok_or_else(|| bad("salt", "the salt is not base64".into()))?;
    if salt.len() != SALT_BYTES {
        return Err(bad(
            "salt",
            format!("the salt is {} bytes, not {SALT_BYTES}", salt.len()),
        ));
    }
    let data = decode(data).ok_or_else(|| bad("data", "the sealed data is not base64".into()))?;
    if data.len() < MIN_DATA_BYTES {
        return Err(bad(
            "data",
            format!("the sealed data is {} bytes, too short", data.len()),
        ));
    }
    Ok(Envelope {
        iterations,
        salt,
        data,
    })
}

/// Writes an envelope (the same checks as [`read`] apply to what is written).
pub fn write(envelope: &Envelope) -> Result<Vec<u8>> {
    let text = serde_json::to_string(&File {
        format: FORMAT.into(),
        v: 1,
        iterations: envelope.iterations.into(),
        salt: encode(&envelope.salt),
        data: encode(&envelope.data),
    })
    .expect("an envelope serialises");
    read(text.as_bytes())?;
    Ok(text.into_bytes())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard padded base64 (RFC 4648 §4).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard padded base64; `None` if it is not.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let quads = bytes.len() / 4;
    for (q, quad) in bytes.chunks(4).enumerate() {
        let pad = if q + 1 == quads {
            quad.iter().rev().take_while(|&&c| c == b'=').count()
        } else {
            0
        };
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in quad.iter().enumerate() {
            let v = if i >= 4 - pad { 0 } else { value(c)? };
            n |= u32::from(v) << (18 - 6 * i);
        }
        // Bits below the last byte must be zero (a canonical encoding).
        let keep = 3 - pad;
        if n & ((1u32 << (8 * (3 - keep))) - 1) != 0 {
            return None;
        }
        out.extend_from_slice(&n.to_be_bytes()[1..1 + keep]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648s() {
        // RFC 4648 §10's test vectors.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).as_deref(), Some(plain.as_bytes()));
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)), Some(all));
        for bad in ["Zg=", "Z===", "Zh==", "Zm9v!A==", "=Zm9", "Zg==Zg=="] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
