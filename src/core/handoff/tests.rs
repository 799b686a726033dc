//! Unit tests of [`super`]: the rules stated in its documentation, case by case.

use super::*;

const KEY: [u8; 32] = [7; 32];
const OTHER: [u8; 32] = [9; 32];

#[test]
fn tokens_verify_only_with_their_key() {
    let t = issue_token(&KEY, &[1, 2, 3, 4, 5]).unwrap();
    assert_eq!(t.len(), TOKEN_CHARS);
    assert_eq!(verify_token(&KEY, &t).unwrap(), t);
    assert_eq!(verify_token(&KEY, &t.to_lowercase()).unwrap(), t);
    let code = |r: Result<String>| r.unwrap_err().problems()[0].code;
    assert_eq!(code(verify_token(&OTHER, &t)), ProblemCode::ForeignToken);
    // A token with our key id but a made-up tag.
    let mut forged = t.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(code(verify_token(&KEY, &forged)), ProblemCode::ForgedToken);
    assert_eq!(code(verify_token(&KEY, "ABC")), ProblemCode::Malformed);
    assert_eq!(key_name(&KEY).unwrap().len(), 4);
}

#[test]
fn a_response_round_trips_and_reads_forgivingly() {
    let inst = Instrument::builtin();
    let token = issue_token(&KEY, &[9, 8, 7, 6, 5]).unwrap();
    let mut codes: Vec<u8> = inst.questions().iter().map(|q| q.len() as u8 - 1).collect();
    codes[2] = MISSING;
    let secret = answer_secret(&KEY, &token).unwrap();
    let code = encode_response(&inst, &codes, &token, &secret).unwrap();
    // 1 + 2 + 9 answer digits + 24 token + 8 seal + 1 check = 45 characters in groups of five.
    assert_eq!(code.replace('-', "").len(), 45);
    let back = intake(&inst, &KEY, &code).unwrap();
    assert_eq!(back.codes, codes);
    assert_eq!(back.token, token);
    // Lower case, spaces, O for 0 and L for 1 read the same.
    let sloppy = code
        .to_lowercase()
        .replace('-', " ")
        .replace('0', "o")
        .replace('1', "l");
    assert_eq!(decode_response(&inst, &sloppy).unwrap(), back);
}

#[test]
fn a_code_made_under_version_1_reads_under_its_text_revision() {
    let v1 = Instrument::from_json(include_str!(
        "../../../tests/fixtures/zg-x-branch-2023-v1.json"
    ))
    .expect("version 1 loads");
    let v2 = Instrument::builtin();
    assert!(v2.revises(&v1));
    let token = issue_token(&KEY, &[3; 5]).unwrap();
    let secret = answer_secret(&KEY, &token).unwrap();
    let mut codes = vec![1u8; 17];
    codes[16] = 9;
    let code = encode_response(&v1, &codes, &token, &secret).unwrap();
    assert_eq!(intake(&v2, &KEY, &code).unwrap().codes, codes);
    // Not the other way: version 1 does not know version 2.
    let newer = encode_response(&v2, &codes, &token, &secret).unwrap();
    assert_eq!(
        decode_response(&v1, &newer).unwrap_err().problems()[0].code,
        ProblemCode::UnknownVersion
    );
}

#[test]
fn each_refusal_has_its_reason() {
    let inst = Instrument::builtin();
    let token = issue_token(&KEY, &[1, 1, 1, 1, 1]).unwrap();
    let codes = vec![0u8; 17];
    let secret = answer_secret(&KEY, &token).unwrap();
    let code = encode_response(&inst, &codes, &token, &secret).unwrap();
    let reason = |r: Result<Decoded>| r.unwrap_err().problems()[0].code;
    assert_eq!(
        reason(intake(&inst, &OTHER, &code)),
        ProblemCode::ForeignToken
    );
    assert_eq!(
        reason(decode_response(&inst, "1AB-!")),
        ProblemCode::Malformed
    );
    // Version 3 revises 1 (as the built-in 2 does), not 2: a code of 2 is not its.
    let other = Instrument::from_json(&crate::instrument::BUILTIN_JSON.replacen(
        "\"version\": \"2\"",
        "\"version\": \"3\"",
        1,
    ))
    .unwrap();
    assert_eq!(
        reason(decode_response(&other, &code)),
        ProblemCode::UnknownVersion
    );
    // A token signed with another key, re-packed with a valid check character.
    let theirs = issue_token(&OTHER, &[1; 5]).unwrap();
    let foreign = encode_response(
        &inst,
        &codes,
        &theirs,
        &answer_secret(&OTHER, &theirs).unwrap(),
    )
    .unwrap();
    assert_eq!(
        reason(intake(&inst, &KEY, &foreign)),
        ProblemCode::ForeignToken
    );
    assert!(encode_response(&inst, &[0; 3], &token, &secret).is_err());
    let mut bad = codes.clone();
    bad[0] = 2;
    assert!(encode_response(&inst, &bad, &token, &secret).is_err());
    // A link cut short (secret missing or partial) cannot make a code.
    assert!(encode_response(&inst, &codes, &token, "").is_err());
    assert!(encode_response(&inst, &codes, &token, &secret[..8]).is_err());
    // The same answers sealed with another invitation's secret.
    let other_secret = answer_secret(&KEY, &issue_token(&KEY, &[2; 5]).unwrap()).unwrap();
    let wrong = encode_response(&inst, &codes, &token, &other_secret).unwrap();
    assert_eq!(reason(intake(&inst, &KEY, &wrong)), ProblemCode::BadSeal);
    // A layout-1 code (before seals) is refused with a reason that says so.
    let mut old: Vec<u8> = code.bytes().filter(|&b| b != b'-').collect();
    old[0] = b'1';
    let body: Vec<u8> = old[..old.len() - 1]
        .iter()
        .map(|&c| digit(c).unwrap())
        .collect();
    let last = old.len() - 1;
    old[last] = ALPHABET[usize::from(luhn(&body))];
    let err = decode_response(&inst, std::str::from_utf8(&old).unwrap()).unwrap_err();
    assert_eq!(err.problems()[0].code, ProblemCode::UnknownVersion);
    assert!(err.problems()[0].message.contains("no seal"));
}

#[test]
fn only_code_shaped_strings_are_found() {
    let inst = Instrument::builtin();
    let token = issue_token(&KEY, &[3; 5]).unwrap();
    let secret = answer_secret(&KEY, &token).unwrap();
    let code = encode_response(&inst, &[0; 17], &token, &secret).unwrap();
    let plain = code.replace('-', "");
    let spaced = code.replace('-', " ").to_lowercase();
    let order = "20261203123456789012";
    let text = format!(
        "王女士 10:02 https://x.cn/survey.html?inv={token}#k={secret}\n订单号{order}\n答卷码：{code}\n{plain}，{spaced}\nX{plain}"
    );
    let scan = find_codes(&inst, &text);
    // The same code written three ways is one code, the other two its repeats.
    assert_eq!(scan.codes, std::slice::from_ref(&code));
    assert_eq!(scan.repeated, [plain.clone(), spaced]);
    assert_eq!(scan.others, [token, order.to_owned(), format!("X{plain}")]);
    // One character short or long is not a code's shape.
    assert!(find_codes(&inst, &plain[1..]).codes.is_empty());
    assert!(find_codes(&inst, &format!("{plain}7")).codes.is_empty());
    assert_eq!(code_chars(&inst), 45);
}

#[test]
fn qr_codes_are_square() {
    let m = qr("1AB2C-DEF34").unwrap();
    assert_eq!(m.modules.len(), m.size * m.size);
    assert!(m.size >= 21);
}

#[cfg(feature = "camera")]
#[test]
fn qr_codes_read_back_from_a_frame() {
    let m = qr("1AB2C-DEF34").unwrap();
    // Draw it 4 pixels per module with a quiet zone, and read it back.
    let scale = 4;
    let side = (m.size + 8) * scale;
    let mut grey = vec![255u8; side * side];
    for y in 0..m.size {
        for x in 0..m.size {
            if m.modules[y * m.size + x] == 1 {
                for dy in 0..scale {
                    for dx in 0..scale {
                        grey[((y + 4) * scale + dy) * side + (x + 4) * scale + dx] = 0;
                    }
                }
            }
        }
    }
    assert_eq!(decode_qr(side, side, &grey), ["1AB2C-DEF34"]);
    assert!(decode_qr(0, 0, &[]).is_empty());
}

#[test]
fn a_batch_of_invitations_is_1_to_200_or_refused_naming_the_value() {
    assert_eq!(invitation_count("1").unwrap(), 1);
    assert_eq!(invitation_count(" 8 ").unwrap(), 8);
    assert_eq!(invitation_count("200").unwrap(), MAX_INVITATIONS);
    for (text, code) in [
        ("0", ProblemCode::OutOfRange),
        ("201", ProblemCode::OutOfRange),
        ("500", ProblemCode::OutOfRange),
        ("-3", ProblemCode::OutOfRange),
        ("99999999999999999999", ProblemCode::OutOfRange),
        ("", ProblemCode::NotAnInteger),
        ("2.5", ProblemCode::NotAnInteger),
        ("abc", ProblemCode::NotAnInteger),
        ("1e2", ProblemCode::NotAnInteger),
    ] {
        let e = invitation_count(text).expect_err(text);
        let p = &e.problems()[0];
        assert_eq!(p.code, code, "{text:?}");
        assert_eq!(p.field.as_deref(), Some("count"), "{text:?}");
        assert_eq!(p.value.as_deref(), Some(text.trim()), "{text:?}");
        assert_eq!(p.expected.as_deref(), Some("1–200"), "{text:?}");
    }
}

#[test]
fn a_code_taken_is_the_response_i_token_with_its_provenance() {
    // One invitation can never make two responses: the response's id is the
    // token's, so a second copy of the code is the same response.
    let inst = Instrument::builtin();
    let token = issue_token(&KEY, &[1, 1, 2, 3, 5]).unwrap();
    let codes: Vec<u8> = inst.questions().iter().map(|_| 0).collect();
    let secret = answer_secret(&KEY, &token).unwrap();
    let code = encode_response(&inst, &codes, &token, &secret).unwrap();
    let taken = intake_response(&inst, &KEY, &code).unwrap();
    assert_eq!(taken.id, format!("I-{token}"));
    assert_eq!(taken.codes, codes);
    assert_eq!(taken.token, token);
    let extras = serde_json::to_value(&taken.extras).unwrap();
    assert_eq!(
        extras,
        serde_json::json!({"mode": "online", "invitation": token, "source": "code"})
    );
    // Refused as intake refuses.
    assert!(intake_response(&inst, &OTHER, &code).is_err());
}

#[test]
fn the_same_code_pasted_twice_is_found_once_and_the_repeat_named() {
    // A chat where the customer sent their code twice (once retyped in lower
    // case without dashes): one response, not one taken and one "already used".
    let inst = Instrument::builtin();
    let token = issue_token(&KEY, &[2, 7, 1, 8, 2]).unwrap();
    let codes: Vec<u8> = inst.questions().iter().map(|_| 1).collect();
    let secret = answer_secret(&KEY, &token).unwrap();
    let code = encode_response(&inst, &codes, &token, &secret).unwrap();
    let again = code.replace('-', "").to_lowercase();
    let scan = find_codes(&inst, &format!("我的码 {code}\n再发一次：{again} 谢谢"));
    assert_eq!(scan.codes, std::slice::from_ref(&code));
    assert_eq!(scan.repeated, [again]);
}
