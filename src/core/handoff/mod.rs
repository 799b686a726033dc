//! Getting answers from a customer's own phone to the branch with no server:
//! invitation tokens, per-invitation secrets and sealed response codes.
//!
//! **Invitation token** (24 characters): a branch key (32 random bytes, made
//! and kept on a staff device) signs a random 5-byte nonce. The token is
//! `key id (2 bytes) ‖ nonce (5) ‖ tag (8)`, where the key id is the first two
//! bytes of SHA-256(key) and the tag the first eight of
//! HMAC-SHA-256(key, "manyi-invitation-1" ‖ key id ‖ nonce), written in
//! Crockford base 32. Only the holder of the key can make a token that
//! verifies; the staff device also remembers used tokens (one response each).
//!
//! **Answer secret** (16 characters, 80 bits): the first ten bytes of
//! HMAC-SHA-256(key, "manyi-answers-1" ‖ key id ‖ nonce). It travels only in
//! the invitation link's fragment (`survey.html?inv=TOKEN#k=SECRET`), which a
//! browser never sends to a server, and the staff device derives it again from
//! the key, so it is stored nowhere.
//!
//! **Response code** (45 characters, shown as nine groups of five): `2` (the
//! layout version) ‖ the instrument's fingerprint (2 characters: 10 bits of
//! SHA-256(id "\n" version)) ‖ the answers packed as one mixed-radix number
//! (question i has `len + 1` values: 0 for unanswered, code + 1 otherwise) in
//! a fixed number of base-32 digits (9 for the built-in questionnaire) ‖ the
//! token ‖ the seal ‖ one Luhn mod 32 check character over everything before
//! it, which catches every single changed character. The seal is the first
//! five bytes (8 characters, 40 bits) of HMAC-SHA-256(secret, "manyi-seal-2" ‖
//! every character before it): whoever relays a code without the link's secret
//! cannot change its answers and make it verify (one guess in 2⁴⁰). Codes are
//! shown in groups of five joined by `-`; reading ignores dashes, spaces and
//! letter case and takes I, L as 1 and O as 0. Layout 1 (before seals) is no
//! longer accepted: its answers could be rewritten by whoever relayed it.
//!
//! Checks on intake, each refused with its own problem code: characters and
//! length ([`ProblemCode::Malformed`]), the check character
//! ([`ProblemCode::BadChecksum`]), the layout version and instrument
//! ([`ProblemCode::UnknownVersion`]), the key ([`ProblemCode::ForeignToken`]),
//! the tag ([`ProblemCode::ForgedToken`]) and the seal
//! ([`ProblemCode::BadSeal`]).

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, MISSING};

/// Crockford's base-32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The response-code layout this module writes and reads.
pub const LAYOUT: u8 = 2;
/// Bytes in a branch key.
pub const KEY_LEN: usize = 32;
/// Bytes in an invitation nonce.
pub const NONCE_LEN: usize = 5;
const TAG_LEN: usize = 8;
const TOKEN_BYTES: usize = 2 + NONCE_LEN + TAG_LEN;
/// Characters in an invitation token.
pub const TOKEN_CHARS: usize = TOKEN_BYTES * 8 / 5;
/// Bytes in an invitation's answer secret.
const SECRET_LEN: usize = 10;
/// Characters in an answer secret.
pub const SECRET_CHARS: usize = SECRET_LEN * 8 / 5;
/// Bytes of the seal over a response code's answers.
const SEAL_LEN: usize = 5;
/// Characters of the seal.
pub const SEAL_CHARS: usize = SEAL_LEN * 8 / 5;

fn problem(code: ProblemCode, message: impl Into<String>, value: &str) -> Error {
    Error::single(
        ErrorKind::Code,
        Problem::new(code, message).with_value(value),
    )
}

/// The value (0–31) of a base-32 character, reading I/L as 1 and O as 0.
fn digit(c: u8) -> Option<u8> {
    let c = c.to_ascii_uppercase();
    let c = match c {
        b'I' | b'L' => b'1',
        b'O' => b'0',
        other => other,
    };
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// The characters of a code without separators, upper case, checked against the alphabet.
fn clean(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.bytes().enumerate() {
        if c == b'-' || c.is_ascii_whitespace() {
            continue;
        }
        match digit(c) {
            Some(d) => out.push(d),
            None => {
                let shown = text.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(problem(
                    ProblemCode::Malformed,
                    format!(
                        "{shown:?} (character {}) is not part of a manyi code",
                        i + 1
                    ),
                    text,
                ));
            }
        }
    }
    Ok(out)
}

fn encode_bytes(bytes: &[u8]) -> Vec<u8> {
    // Big-endian bits, five at a time; the byte counts used here are multiples of 5.
    let mut out = Vec::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

fn decode_bytes(digits: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(digits.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0);
    for &d in digits {
        acc = (acc << 5) | u32::from(d);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn text(digits: &[u8]) -> String {
    digits
        .iter()
        .map(|&d| ALPHABET[usize::from(d)] as char)
        .collect()
}

/// The Luhn mod 32 check digit of `digits`.
fn luhn(digits: &[u8]) -> u8 {
    let mut sum = 0u32;
    let mut factor = 2;
    for &d in digits.iter().rev() {
        let addend = factor * u32::from(d);
        sum += addend / 32 + addend % 32;
        factor = if factor == 2 { 1 } else { 2 };
    }
    ((32 - sum % 32) % 32) as u8
}

// ---- invitation tokens ----------------------------------------------------------

fn key_id(key: &[u8]) -> [u8; 2] {
    let h = Sha256::digest(key);
    [h[0], h[1]]
}

/// The first `N` bytes of HMAC-SHA-256(key, parts…).
fn hmac<const N: usize>(key: &[u8], parts: &[&[u8]]) -> Result<[u8; N]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|_| problem(ProblemCode::Malformed, "an HMAC key cannot be used", ""))?;
    for part in parts {
        mac.update(part);
    }
    let full = mac.finalize().into_bytes();
    let mut out = [0; N];
    out.copy_from_slice(&full[..N]);
    Ok(out)
}

fn tag(key: &[u8], id: [u8; 2], nonce: &[u8]) -> Result<[u8; TAG_LEN]> {
    hmac(key, &[b"manyi-invitation-1", &id, nonce])
}

/// Compares every byte (no early exit).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn check_key(key: &[u8]) -> Result<()> {
    if key.len() != KEY_LEN {
        return Err(problem(
            ProblemCode::Malformed,
            format!("a branch key is {KEY_LEN} bytes, not {}", key.len()),
            "",
        ));
    }
    Ok(())
}

/// The branch key's short public id (4 characters), to tell keys apart on screen.
pub fn key_name(key: &[u8]) -> Result<String> {
    check_key(key)?;
    let id = key_id(key);
    Ok(text(&encode_bytes(&[id[0], id[1], 0, 0, 0])[..4]))
}

/// The most invitations issued in one batch: a branch prints a day's slips or
/// a poster run, and a larger batch would make thousands of tokens whose
/// slips nobody prints.
pub const MAX_INVITATIONS: u32 = 200;

/// How many invitations to issue, as typed (`count`): a whole number from 1
/// to [`MAX_INVITATIONS`]; anything else is refused naming the value
/// ([`ProblemCode::NotAnInteger`], [`ProblemCode::OutOfRange`]), never
/// quietly changed into a number that was not asked for.
pub fn invitation_count(text: &str) -> Result<u32> {
    let text = text.trim();
    let range = format!("1–{MAX_INVITATIONS}");
    let refuse = |code, message: String| {
        Error::single(
            ErrorKind::Request,
            Problem::new(code, message)
                .in_field("count")
                .with_value(text)
                .expecting(range.clone()),
        )
    };
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(
            ProblemCode::NotAnInteger,
            format!("the number of invitations must be a whole number from {range}, not {text:?}"),
        ));
    }
    match text.parse::<u32>() {
        Ok(n) if (1..=MAX_INVITATIONS).contains(&n) => Ok(n),
        _ => Err(refuse(
            ProblemCode::OutOfRange,
            format!("the number of invitations must be from {range}, not {text}"),
        )),
    }
}

/// A one-time invitation token for `nonce` (random bytes from the caller),
/// signed with the branch key.
pub fn issue_token(key: &[u8], nonce: &[u8]) -> Result<String> {
    check_key(key)?;
    if nonce.len() != NONCE_LEN {
        return Err(problem(
            ProblemCode::Malformed,
            format!("an invitation nonce is {NONCE_LEN} bytes"),
            "",
        ));
    }
    let id = key_id(key);
    let mut bytes = Vec::with_capacity(TOKEN_BYTES);
    bytes.extend_from_slice(&id);
    bytes.extend_from_slice(nonce);
    bytes.extend_from_slice(&tag(key, id, nonce)?);
    Ok(text(&encode_bytes(&bytes)))
}

/// Checks a token's form only (the phone has no key): 24 base-32 characters.
pub fn token_form(token: &str) -> Result<String> {
    let digits = clean(token)?;
    if digits.len() != TOKEN_CHARS {
        return Err(problem(
            ProblemCode::Malformed,
            format!(
                "an invitation token has {TOKEN_CHARS} characters, not {}",
                digits.len()
            ),
            token,
        ));
    }
    Ok(text(&digits))
}

/// Verifies a token against the branch key: refused if made with another key
/// ([`ProblemCode::ForeignToken`]) or not made with a key at all
/// ([`ProblemCode::ForgedToken`]). Returns the token in canonical form.
pub fn verify_token(key: &[u8], token: &str) -> Result<String> {
    check_key(key)?;
    let canonical = token_form(token)?;
    let bytes = decode_bytes(&clean(&canonical)?);
    let id = [bytes[0], bytes[1]];
    if id != key_id(key) {
        return Err(problem(
            ProblemCode::ForeignToken,
            "the invitation was not issued with this branch's key",
            &canonical,
        ));
    }
    let expected = tag(key, id, &bytes[2..2 + NONCE_LEN])?;
    if !same(&expected, &bytes[2 + NONCE_LEN..]) {
        return Err(problem(
            ProblemCode::ForgedToken,
            "the invitation's signature does not match: it was altered or forged",
            &canonical,
        ));
    }
    Ok(canonical)
}

/// The answer secret of an invitation (16 characters, for the link's
/// fragment): derived from the branch key and the token's nonce, after the
/// token is verified.
pub fn answer_secret(key: &[u8], token: &str) -> Result<String> {
    let canonical = verify_token(key, token)?;
    let bytes = decode_bytes(&clean(&canonical)?);
    let secret: [u8; SECRET_LEN] = hmac(
        key,
        &[b"manyi-answers-1", &bytes[..2], &bytes[2..2 + NONCE_LEN]],
    )?;
    Ok(text(&encode_bytes(&secret)))
}

/// Checks an invitation as the phone receives it (it has no key): the
/// token's form and the secret's. Returns both canonical.
pub fn invitation_form(token: &str, secret: &str) -> Result<(String, String)> {
    let token = token_form(token)?;
    let digits = clean(secret)?;
    if digits.len() != SECRET_CHARS {
        return Err(problem(
            ProblemCode::Malformed,
            format!(
                "the invitation link's secret has {SECRET_CHARS} characters, not {}: open the whole link",
                digits.len()
            ),
            secret,
        ));
    }
    Ok((token, text(&digits)))
}

/// The seal over a code's characters (digits) before it.
fn seal(secret: &str, digits: &[u8]) -> Result<[u8; SEAL_CHARS]> {
    let secret = decode_bytes(&clean(secret)?);
    let chars = text(digits);
    let bytes: [u8; SEAL_LEN] = hmac(&secret, &[b"manyi-seal-2", chars.as_bytes()])?;
    let mut out = [0; SEAL_CHARS];
    out.copy_from_slice(&encode_bytes(&bytes));
    Ok(out)
}

// ---- response codes ---------------------------------------------------------------

/// Two base-32 characters naming the instrument and its version.
fn fingerprint(instrument: &Instrument) -> [u8; 2] {
    version_mark(instrument.id(), instrument.version())
}

/// Two base-32 characters naming instrument `id` at `version`.
fn version_mark(id: &str, version: &str) -> [u8; 2] {
    let mut h = Sha256::new();
    h.update(id.as_bytes());
    h.update(b"\n");
    h.update(version.as_bytes());
    let h = h.finalize();
    [h[0] >> 3, ((h[0] & 7) << 2) | (h[1] >> 6)]
}

/// Whether `mark` names `instrument`'s version or one it revises in wording
/// only (a code made on a page still showing the older texts reads the same).
fn reads_mark(instrument: &Instrument, mark: &[u8]) -> bool {
    mark == fingerprint(instrument)
        || instrument
            .revised_versions()
            .iter()
            .any(|v| mark == version_mark(instrument.id(), v))
}

/// The radix of each question's packed value: its options (or scale points) plus "unanswered".
fn radices(instrument: &Instrument) -> Vec<u32> {
    instrument
        .questions()
        .iter()
        .map(|q| q.len() as u32 + 1)
        .collect()
}

/// Base-32 digits (most significant first) needed for a number below the product of `radices`.
fn answer_width(radices: &[u32]) -> usize {
    let mut max = vec![0u8];
    for &r in radices {
        mul_add(&mut max, r, r - 1);
    }
    max.len()
}

/// `digits = digits · r + v`, digits little-endian base 32.
fn mul_add(digits: &mut Vec<u8>, r: u32, v: u32) {
    let mut carry = v;
    for d in digits.iter_mut() {
        let x = u32::from(*d) * r + carry;
        *d = (x % 32) as u8;
        carry = x / 32;
    }
    while carry > 0 {
        digits.push((carry % 32) as u8);
        carry /= 32;
    }
}

/// `digits / r`, returning the remainder; digits little-endian base 32.
fn div_rem(digits: &mut [u8], r: u32) -> u32 {
    let mut rem = 0u32;
    for d in digits.iter_mut().rev() {
        let x = rem * 32 + u32::from(*d);
        *d = (x / r) as u8;
        rem = x % r;
    }
    rem
}

/// The response code for `codes` (one per question, [`MISSING`] for
/// unanswered) and the invitation `token`, sealed with the invitation's answer
/// `secret` (from the link), grouped for reading.
pub fn encode_response(
    instrument: &Instrument,
    codes: &[u8],
    token: &str,
    secret: &str,
) -> Result<String> {
    let questions = instrument.questions();
    if codes.len() != questions.len() {
        return Err(problem(
            ProblemCode::Malformed,
            format!("{} answers for {} questions", codes.len(), questions.len()),
            "",
        ));
    }
    let (token, secret) = invitation_form(token, secret)?;
    let radices = radices(instrument);
    let mut number = vec![0u8];
    for ((q, &c), &r) in questions.iter().zip(codes).zip(&radices) {
        let v = if c == MISSING {
            0
        } else if usize::from(c) < q.len() {
            u32::from(c) + 1
        } else {
            return Err(problem(
                ProblemCode::OutOfRange,
                format!("code {c} is outside {}", q.id),
                &q.id,
            ));
        };
        mul_add(&mut number, r, v);
    }
    number.resize(answer_width(&radices), 0);
    let mut digits = vec![digit(b'0' + LAYOUT).unwrap_or(1)];
    digits.extend_from_slice(&fingerprint(instrument));
    digits.extend(number.iter().rev());
    digits.extend(clean(&token)?);
    let sealed = seal(&secret, &digits)?;
    digits.extend_from_slice(&sealed);
    digits.push(luhn(&digits));
    let plain = text(&digits);
    Ok(plain
        .as_bytes()
        .chunks(5)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A response read back from its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decoded {
    /// One code per question ([`MISSING`] for unanswered).
    pub codes: Vec<u8>,
    /// The invitation token, canonical.
    pub token: String,
    /// The seal over the answers and token (checked by [`intake`]).
    #[serde(skip)]
    pub seal: String,
}

/// Reads a response code for `instrument`: refuses bad characters or length,
/// a wrong check character, another layout or instrument version. Neither the
/// token nor the seal is verified here (see [`intake`]).
pub fn decode_response(instrument: &Instrument, code: &str) -> Result<Decoded> {
    let digits = clean(code)?;
    let radices = radices(instrument);
    let width = answer_width(&radices);
    let want = 3 + width + TOKEN_CHARS + SEAL_CHARS + 1;
    if digits.len() < 4 {
        return Err(problem(
            ProblemCode::Malformed,
            "too short for a manyi code",
            code,
        ));
    }
    if luhn(&digits[..digits.len() - 1]) != digits[digits.len() - 1] {
        return Err(problem(
            ProblemCode::BadChecksum,
            "the check character does not match: a character was mistyped or changed",
            code,
        ));
    }
    if digits[0] == 1 {
        return Err(problem(
            ProblemCode::UnknownVersion,
            "code layout 1 is from an earlier manyi whose codes had no seal (their answers \
             could be rewritten by whoever relayed them): send the customer a new invitation",
            code,
        ));
    }
    if digits[0] != LAYOUT {
        return Err(problem(
            ProblemCode::UnknownVersion,
            format!(
                "code layout {} is not one this version of manyi reads",
                ALPHABET[usize::from(digits[0])] as char
            ),
            code,
        ));
    }
    if !reads_mark(instrument, &digits[1..3]) {
        return Err(problem(
            ProblemCode::UnknownVersion,
            format!(
                "the code is for another questionnaire or version, not {} version {}",
                instrument.id(),
                instrument.version()
            ),
            code,
        ));
    }
    if digits.len() != want {
        return Err(problem(
            ProblemCode::Malformed,
            format!(
                "a code for this questionnaire has {want} characters, not {}",
                digits.len()
            ),
            code,
        ));
    }
    let mut number: Vec<u8> = digits[3..3 + width].iter().rev().copied().collect();
    let mut codes = vec![MISSING; radices.len()];
    for (i, &r) in radices.iter().enumerate().rev() {
        let v = div_rem(&mut number, r);
        codes[i] = if v == 0 { MISSING } else { (v - 1) as u8 };
    }
    if number.iter().any(|&d| d != 0) {
        return Err(problem(
            ProblemCode::Malformed,
            "the answers in the code are out of range",
            code,
        ));
    }
    let token_end = 3 + width + TOKEN_CHARS;
    Ok(Decoded {
        codes,
        token: text(&digits[3 + width..token_end]),
        seal: text(&digits[token_end..token_end + SEAL_CHARS]),
    })
}

/// Every check a staff device makes on a pasted or scanned code, except
/// "already used" (which needs the device's store): reads the code, verifies
/// its invitation against the branch key, and its seal with the invitation's
/// answer secret (derived again from the key).
pub fn intake(instrument: &Instrument, key: &[u8], code: &str) -> Result<Decoded> {
    let decoded = decode_response(instrument, code)?;
    let token = verify_token(key, &decoded.token)?;
    let secret = answer_secret(key, &token)?;
    let digits = clean(code)?;
    let sealed_end = digits.len() - 1 - SEAL_CHARS;
    let expected = seal(&secret, &digits[..sealed_end])?;
    if !same(&expected, &digits[sealed_end..sealed_end + SEAL_CHARS]) {
        return Err(problem(
            ProblemCode::BadSeal,
            "the code's seal does not match its answers: they were changed after the customer sent them",
            code,
        ));
    }
    Ok(Decoded { token, ..decoded })
}

/// The response a code makes on the staff device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodedResponse {
    /// `I-<token>`: one invitation can never make two responses, as every copy
    /// of its code is the same response.
    pub id: String,
    /// One code per question ([`MISSING`] for unanswered).
    pub codes: Vec<u8>,
    /// The invitation token, canonical.
    pub token: String,
    /// Its provenance columns. (The device adds when it was received and which
    /// device took it.)
    pub extras: CodedExtras,
}

/// The provenance columns of a response taken from a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodedExtras {
    /// `online`: the customer answered on their own phone.
    pub mode: &'static str,
    /// The invitation token.
    pub invitation: String,
    /// `code`: it came as a response code.
    pub source: &'static str,
}

/// [`intake`], as the response the staff device stores ([`CodedResponse`]).
pub fn intake_response(instrument: &Instrument, key: &[u8], code: &str) -> Result<CodedResponse> {
    let Decoded { codes, token, .. } = intake(instrument, key, code)?;
    Ok(CodedResponse {
        id: format!("I-{token}"),
        extras: CodedExtras {
            mode: "online",
            invitation: token.clone(),
            source: "code",
        },
        codes,
        token,
    })
}

// ---- finding codes in pasted text ---------------------------------------------------------

/// Characters in a response code for `instrument` (45 for the built-in questionnaire).
pub fn code_chars(instrument: &Instrument) -> usize {
    3 + answer_width(&radices(instrument)) + TOKEN_CHARS + SEAL_CHARS + 1
}

/// What a pasted text (a chat thread, an e-mail) holds: the strings shaped
/// like response codes, and apart from them other long runs of letters and
/// digits (an order number, an invitation link's token) that are not codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodeScan {
    /// Code-shaped strings, as written (to be checked by [`intake`]).
    pub codes: Vec<String>,
    /// Runs of 20 or more letters and digits that are not shaped like a code.
    pub others: Vec<String>,
    /// Codes found a second time in the same text (compared as read: dashes,
    /// spaces and letter case aside), as written: not checked again, so a
    /// resent code is one response rather than one taken and one refused.
    pub repeated: Vec<String>,
}

/// Where a code-shaped string starting at `start` ends: a layout digit, then
/// base-32 characters up to `len` (I, L, O and either case allowed, as
/// [`decode_response`] reads them) in groups of five, written the same way
/// throughout: no separators, or one `-` (or one space or tab) between every
/// two groups — never a line break, so the end of one line and a code on the
/// next are not read as one; not followed by a letter or digit, nor (when
/// written with dashes) by a dash and more.
fn shaped_at(bytes: &[u8], start: usize, len: usize) -> Option<usize> {
    if !bytes.get(start)?.is_ascii_digit() {
        return None;
    }
    let mut i = start;
    // The separator the first group boundary uses; every other must match.
    let mut style: Option<Option<u8>> = None;
    for n in 0..len {
        if n > 0 && n % 5 == 0 {
            let here = bytes
                .get(i)
                .copied()
                .filter(|&c| c == b'-' || c == b' ' || c == b'\t');
            let sep = here.map(|c| if c == b'\t' { b' ' } else { c });
            match style {
                None => style = Some(sep),
                Some(s) if s != sep => return None,
                Some(_) => {}
            }
            if sep.is_some() {
                i += 1;
            }
        }
        digit(*bytes.get(i)?)?;
        i += 1;
    }
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(c), _) if c.is_ascii_alphanumeric() => None,
        (Some(b'-'), Some(c)) if style == Some(Some(b'-')) && c.is_ascii_alphanumeric() => None,
        _ => Some(i),
    }
}

/// Finds the strings shaped like `instrument`'s response codes in `text`
/// (the shape only: [`intake`] checks them), and lists apart other runs of 20
/// or more letters and digits (joined by single dashes), which are not codes.
pub fn find_codes(instrument: &Instrument, text: &str) -> CodeScan {
    let len = code_chars(instrument);
    let bytes = text.as_bytes();
    let mut scan = CodeScan::default();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if starts_word {
            if let Some(end) = shaped_at(bytes, i, len) {
                let found = &text[i..end];
                // The same code again (however written): one response, named apart.
                let key = clean(found).unwrap_or_default();
                if seen.contains(&key) {
                    scan.repeated.push(found.to_owned());
                } else {
                    seen.push(key);
                    scan.codes.push(found.to_owned());
                }
                spans.push(i..end);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    // Other long runs: letters and digits, single dashes between them.
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut chars = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_alphanumeric() {
                chars += 1;
                i += 1;
            } else if bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
                i += 1;
            } else {
                break;
            }
        }
        let inside = spans.iter().any(|s| s.start < i && start < s.end);
        if chars >= 20 && !inside {
            scan.others.push(text[start..i].to_owned());
        }
    }
    scan
}

// ---- QR codes ------------------------------------------------------------------------

/// A QR code as a square of modules, row after row (1 = dark).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrMatrix {
    /// Modules per side.
    pub size: usize,
    /// `size × size` modules.
    pub modules: Vec<u8>,
}

/// Encodes `text` as a QR code (medium error correction).
pub fn qr(text: &str) -> Result<QrMatrix> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| {
            problem(
                ProblemCode::Malformed,
                format!("cannot be a QR code: {e}"),
                text,
            )
        })?;
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| u8::from(c == qrcode::Color::Dark))
        .collect();
    Ok(QrMatrix {
        size: code.width(),
        modules,
    })
}

/// The texts of the QR codes found in a greyscale frame (`width × height`
/// bytes, row after row), e.g. from a camera. Only with the `camera` feature.
#[cfg(feature = "camera")]
pub fn decode_qr(width: usize, height: usize, grey: &[u8]) -> Vec<String> {
    if width == 0 || height == 0 || grey.len() < width * height {
        return Vec::new();
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, s)| s))
        .collect()
}

#[cfg(test)]
mod tests;
