//! The WebAssembly boundary: the only crate that knows about JavaScript.
//!
//! It converts and forwards, nothing more: bytes and typed arrays in, plain
//! objects out (through serde-wasm-bindgen, maps as objects), and every core
//! [`Error`] becomes a JavaScript `Error` whose `message` is the core's text and
//! whose `problems` lists each problem with its line, column and value.
//!
//! One file, built four ways by its features so that a screen downloads only
//! what it calls (issue 19):
//! - `page`: what the pages call on their own thread (`www/core.js`): the
//!   questionnaire's checks, hand-off codes and QR encoding, paper-form ids.
//!   pkg/page/, the only module a customer's phone loads.
//! - `worker`: what the staff pages' worker calls (`www/worker.js`): the data
//!   set and its analysis, the device store, imports, merges, backups, cases,
//!   double entry's checks and tally, the staff lock's rules. pkg/, loaded by
//!   the screens that start the worker.
//! - `camera`: QR decoding from camera frames, nothing else (pkg/camera/).
//! - `export`: the data set read from and written to CSV, .xlsx, .sav and
//!   Parquet, nothing else (pkg/export/).
//!
//! The default is `page` and `worker`, so that tests and `cargo clippy` see
//! every export; a build of fewer features leaves unused helpers out.
#![cfg(target_arch = "wasm32")]
#![cfg_attr(
    not(all(feature = "page", feature = "worker")),
    allow(dead_code, unused_imports)
)]

use serde::Serialize;
use wasm_bindgen::prelude::*;

use std::collections::HashMap;

use manyi::merge::{self, Resolution};
use manyi::store::{self, Contact, LogRecord, Provenance};
use manyi::view::View;
use manyi::{
    backup, crosstab, double_entry, filter, followup, handoff, scale, scoring, trend, Error,
    Filter, Instrument, Lang, Responses,
};

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

/// How much of a file a reader copies into wasm memory at a time: a file is
/// read in pieces straight from the JavaScript array and never sits in wasm
/// memory whole (61 MB for a million responses, and wasm memory never
/// shrinks), only a piece and the records it ends in.
const PIECE: usize = 4 << 20;

/// Appends to `buf` the bytes of `array` from `from`, at most [`PIECE`].
fn read_piece(array: &js_sys::Uint8Array, from: usize, buf: &mut Vec<u8>) {
    let to = (from + PIECE).min(array.length() as usize);
    let at = buf.len();
    buf.resize(at + (to - from), 0);
    array
        .subarray(from as u32, to as u32)
        .copy_to(&mut buf[at..]);
}

fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    for (key, value) in [
        ("kind", to_js(&e.kind())),
        ("problems", to_js(e.problems())),
        ("total", Ok(JsValue::from(e.total() as f64))),
    ] {
        if let Ok(v) = value {
            let _ = js_sys::Reflect::set(&err, &JsValue::from_str(key), &v);
        }
    }
    err.into()
}

/// A value from JavaScript through serde; `None` for `undefined` or `null`.
fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<Option<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(value)
        .map(Some)
        .map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

fn instrument_or_builtin(json: Option<String>) -> Result<Instrument, JsValue> {
    match json {
        Some(text) => Instrument::from_json(&text).map_err(js_error),
        None => Ok(Instrument::builtin()),
    }
}

/// Keys the hashing of response ids with 16 random bytes from the page
/// (`crypto.getRandomValues`): wasm has no randomness of its own, and unkeyed
/// hashes let a crafted file make import quadratic.
#[cfg(any(feature = "worker", feature = "export"))]
#[wasm_bindgen(js_name = seedHashing)]
pub fn seed_hashing(seed: &[u8]) -> Result<(), JsValue> {
    let seed: [u8; 16] = seed
        .try_into()
        .map_err(|_| JsValue::from_str("seedHashing takes 16 random bytes"))?;
    manyi::responses::seed_id_hashing(seed);
    Ok(())
}

/// The built-in instrument, as a plain object in the instrument file format.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = builtinInstrument)]
pub fn builtin_instrument() -> Result<JsValue, JsValue> {
    to_js(&Instrument::builtin())
}

/// Checks an instrument's JSON text and returns it as a plain object.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = parseInstrument)]
pub fn parse_instrument(json: &str) -> Result<JsValue, JsValue> {
    to_js(&Instrument::from_json(json).map_err(js_error)?)
}

/// The staff lock's rules: `{iterations, minChars, delay}` where `delay` is
/// the seconds to wait after 0, 1, 2, … wrong tries (up to 32 entries).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = lockRules)]
pub fn lock_rules() -> Result<JsValue, JsValue> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Rules {
        iterations: u32,
        min_chars: usize,
        delay: Vec<u32>,
    }
    to_js(&Rules {
        iterations: manyi::lock::PBKDF2_ITERATIONS,
        min_chars: manyi::lock::MIN_CHARS,
        delay: (0..32).map(manyi::lock::unlock_delay).collect(),
    })
}

/// Whether a file whose first bytes are `head` is an encrypted backup (see sealed_backup.rs).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = isSealedBackup)]
pub fn is_sealed_backup(head: &[u8]) -> bool {
    manyi::sealed_backup::is_envelope(head)
}

/// An encrypted backup's envelope, checked: `{iterations, salt, data}` (the
/// last two as `Uint8Array`s) for WebCrypto to open.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = readSealedBackup)]
pub fn read_sealed_backup(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let e = manyi::sealed_backup::read(bytes).map_err(js_error)?;
    Ok(object(&[
        ("iterations", JsValue::from(e.iterations)),
        ("salt", js_sys::Uint8Array::from(e.salt.as_slice()).into()),
        ("data", js_sys::Uint8Array::from(e.data.as_slice()).into()),
    ]))
}

/// The envelope of data sealed by WebCrypto with `salt` and `iterations`.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = writeSealedBackup)]
pub fn write_sealed_backup(
    iterations: u32,
    salt: Vec<u8>,
    data: Vec<u8>,
) -> Result<Vec<u8>, JsValue> {
    manyi::sealed_backup::write(&manyi::sealed_backup::Envelope {
        iterations,
        salt,
        data,
    })
    .map_err(js_error)
}

/// Checks a new staff passphrase; throws with the reason.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = checkPassphrase)]
pub fn check_passphrase(passphrase: &str) -> Result<(), JsValue> {
    manyi::lock::check_passphrase(passphrase).map_err(js_error)
}

/// `path` if it names a questionnaire file of this site (`instruments/….json`); refused otherwise.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = instrumentPath)]
pub fn instrument_path(path: &str) -> Result<String, JsValue> {
    manyi::source::instrument_path(path)
        .map(str::to_owned)
        .map_err(js_error)
}

/// A one-time invitation token: `nonce` (5 random bytes) signed with the 32-byte branch key.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = issueToken)]
pub fn issue_token(key: &[u8], nonce: &[u8]) -> Result<String, JsValue> {
    handoff::issue_token(key, nonce).map_err(js_error)
}

/// How many invitations to issue, from the number typed (1–200); throws naming the value.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = invitationCount)]
pub fn invitation_count(text: &str) -> Result<u32, JsValue> {
    handoff::invitation_count(text).map_err(js_error)
}

/// The most invitations issued in one batch (the number field's `max`).
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = maxInvitations)]
pub fn max_invitations() -> u32 {
    handoff::MAX_INVITATIONS
}

/// The branch key's short public name (4 characters).
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = keyName)]
pub fn key_name(key: &[u8]) -> Result<String, JsValue> {
    handoff::key_name(key).map_err(js_error)
}

/// The response code for answer `codes` (a `Uint8Array`, 255 = unanswered),
/// an invitation token and its answer secret (from the link's fragment), for
/// the given instrument JSON or the built-in one.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = encodeResponse)]
pub fn encode_response(
    codes: &[u8],
    token: &str,
    secret: &str,
    instrument_json: Option<String>,
) -> Result<String, JsValue> {
    let instrument = instrument_or_builtin(instrument_json)?;
    handoff::encode_response(&instrument, codes, token, secret).map_err(js_error)
}

/// The answer secret of an invitation (for its link's fragment), from the branch key.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = answerSecret)]
pub fn answer_secret(key: &[u8], token: &str) -> Result<String, JsValue> {
    handoff::answer_secret(key, token).map_err(js_error)
}

/// Whether a call-back phone number can be kept (store's `Contact::phone_ok`).
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = phoneOk)]
pub fn phone_ok(phone: &str) -> bool {
    store::Contact::phone_ok(phone)
}

/// Checks an invitation as the phone receives it (token and secret); throws with the reason.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = checkInvitation)]
pub fn check_invitation(token: &str, secret: &str) -> Result<(), JsValue> {
    handoff::invitation_form(token, secret)
        .map(|_| ())
        .map_err(js_error)
}

/// Every check of a pasted or scanned response code against the branch key
/// (all but "already used"): the response it makes, `{id, codes, token,
/// extras}`, or an Error with its reason.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = intakeCode)]
pub fn intake_code(
    key: &[u8],
    text: &str,
    instrument_json: Option<String>,
) -> Result<JsValue, JsValue> {
    let instrument = instrument_or_builtin(instrument_json)?;
    to_js(&handoff::intake_response(&instrument, key, text).map_err(js_error)?)
}

/// The strings shaped like response codes in a pasted text, and apart the
/// other long runs of letters and digits that are not codes: `{codes, others}`.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = findCodes)]
pub fn find_codes(text: &str, instrument_json: Option<String>) -> Result<JsValue, JsValue> {
    let instrument = instrument_or_builtin(instrument_json)?;
    to_js(&handoff::find_codes(&instrument, text))
}

/// A QR code for `text`: `{size, modules}` (row after row, 1 = dark).
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = qrCode)]
pub fn qr_code(text: &str) -> Result<JsValue, JsValue> {
    to_js(&handoff::qr(text).map_err(js_error)?)
}

/// The texts of the QR codes in a greyscale camera frame (`camera` feature:
/// the pkg/camera/ build).
#[cfg(feature = "camera")]
#[wasm_bindgen(js_name = decodeQr)]
pub fn decode_qr(width: usize, height: usize, grey: &[u8]) -> Vec<String> {
    handoff::decode_qr(width, height, grey)
}

/// An SPSS system file (.sav) of the responses in an interchange CSV, labels
/// in `lang`, `created` the Unix time its header records (`export` feature:
/// the pkg/export/ add-on the page loads on demand).
#[cfg(feature = "export")]
#[wasm_bindgen(js_name = savFromCsv)]
pub fn sav_from_csv(
    csv: &[u8],
    instrument_json: Option<String>,
    lang: &str,
    created: f64,
) -> Result<Vec<u8>, JsValue> {
    let instrument = instrument_or_builtin(instrument_json)?;
    let responses = Responses::from_csv(&instrument, csv).map_err(js_error)?;
    let lang = Lang::parse(lang).unwrap_or_default();
    manyi::sav::to_sav(&instrument, &responses, lang, created as i64).map_err(js_error)
}

/// A Parquet file of the responses in an interchange CSV (`export` feature).
#[cfg(feature = "export")]
#[wasm_bindgen(js_name = parquetFromCsv)]
pub fn parquet_from_csv(csv: &[u8], instrument_json: Option<String>) -> Result<Vec<u8>, JsValue> {
    let instrument = instrument_or_builtin(instrument_json)?;
    let responses = Responses::from_csv(&instrument, csv).map_err(js_error)?;
    manyi::parquet::to_parquet(&instrument, &responses).map_err(js_error)
}

/// A paper-form id as typed, completed against the last id keyed on the
/// device (see form_id.rs): `{id, completed, bare_number}`.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = completeId)]
pub fn complete_id(typed: &str, last: &str) -> Result<JsValue, JsValue> {
    to_js(&manyi::form_id::complete(typed, last))
}

/// The id suggested after `id` ("" when it does not end in digits).
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = nextId)]
pub fn next_id(id: &str) -> String {
    manyi::form_id::next(id).unwrap_or_default()
}

/// Where two keyings of a paper form differ: their question indices (see
/// double_entry.rs), for the instrument JSON the form was keyed on.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = entryDisagreements)]
pub fn entry_disagreements(
    first: &[u8],
    second: &[u8],
    instrument_json: &str,
) -> Result<Vec<u32>, JsValue> {
    let instrument = Instrument::from_json(instrument_json).map_err(js_error)?;
    let at = double_entry::disagreements(&instrument, first, second).map_err(js_error)?;
    Ok(at.into_iter().map(|i| i as u32).collect())
}

/// A paper form verified by its second keying: `{codes, verification}`, the
/// codes being the second keying with `paper` (what the paper says at each
/// disagreement, in question order) put in; `verification` is the audit
/// entry's detail.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = verifyEntry)]
#[allow(clippy::too_many_arguments)]
pub fn verify_entry(
    id: &str,
    first_operator: &str,
    first: &[u8],
    second_operator: &str,
    second: &[u8],
    paper: &[u8],
    instrument_json: &str,
) -> Result<JsValue, JsValue> {
    let instrument = Instrument::from_json(instrument_json).map_err(js_error)?;
    to_js(
        &double_entry::verify(
            &instrument,
            id,
            first_operator,
            first,
            second_operator,
            second,
            paper,
        )
        .map_err(js_error)?,
    )
}

/// Each operator's keying accuracy over an audit trail's verifications:
/// `[{who, forms, disagreements, errors, error_rate}]`.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = entryTally)]
pub fn entry_tally(trail: JsValue, instrument_json: &str) -> Result<JsValue, JsValue> {
    let instrument = Instrument::from_json(instrument_json).map_err(js_error)?;
    let trail: serde_json::Value = serde_wasm_bindgen::from_value(trail)
        .map_err(|e| js_sys::Error::new(&format!("the audit trail: {e}")))?;
    to_js(&double_entry::tally(&instrument, &trail).map_err(js_error)?)
}

/// The answers an edit of a saved form changes: `[{question, from, to}]`, as
/// marked on the paper.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = editChanges)]
pub fn edit_changes(
    before: &[u8],
    after: &[u8],
    instrument_json: &str,
) -> Result<JsValue, JsValue> {
    let instrument = Instrument::from_json(instrument_json).map_err(js_error)?;
    to_js(&double_entry::changes(&instrument, before, after).map_err(js_error)?)
}

/// Responses loaded once, then queried.
#[cfg(any(feature = "worker", feature = "export"))]
#[wasm_bindgen]
pub struct Dataset {
    instrument: Instrument,
    /// The responses, or those a filter keeps (`filtered`), counted in place.
    view: View,
    /// The audit trail restored with a backup (an empty list otherwise).
    audit: serde_json::Value,
}

#[cfg(any(feature = "worker", feature = "export"))]
impl Dataset {
    fn new(instrument: Instrument, responses: Responses) -> Self {
        Dataset {
            instrument,
            view: View::new(responses),
            audit: serde_json::Value::Array(Vec::new()),
        }
    }
}

#[cfg(any(feature = "worker", feature = "export"))]
#[wasm_bindgen]
impl Dataset {
    /// Imports CSV bytes (all or nothing) against the given instrument JSON, or
    /// the built-in instrument when it is omitted.
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(
        csv: &js_sys::Uint8Array,
        instrument_json: Option<String>,
    ) -> Result<Dataset, JsValue> {
        let instrument = instrument_or_builtin(instrument_json)?;
        let responses =
            Responses::from_csv_pieces(&instrument, csv.length() as usize, PIECE, |from, buf| {
                read_piece(csv, from, buf)
            })
            .map_err(js_error)?;
        Ok(Dataset::new(instrument, responses))
    }

    /// Imports the first sheet of an .xlsx workbook laid out as the interchange
    /// CSV (all or nothing), against the given instrument or the built-in one.
    /// In the file formats add-on (pkg/export/) only.
    #[cfg(feature = "export")]
    #[wasm_bindgen(js_name = fromXlsx)]
    pub fn from_xlsx(bytes: &[u8], instrument_json: Option<String>) -> Result<Dataset, JsValue> {
        let instrument = instrument_or_builtin(instrument_json)?;
        let responses = Responses::from_xlsx(&instrument, bytes).map_err(js_error)?;
        Ok(Dataset::new(instrument, responses))
    }

    /// An .xlsx workbook: the responses (as the interchange CSV) and every
    /// question's frequency table, in `lang` ("zh-CN" or "en"). In the file
    /// formats add-on (pkg/export/) only.
    #[cfg(feature = "export")]
    #[wasm_bindgen(js_name = toXlsx)]
    pub fn to_xlsx(&self, lang: &str) -> Result<Vec<u8>, JsValue> {
        let lang = Lang::parse(lang).unwrap_or_default();
        manyi::export::to_xlsx(&self.instrument, self.view.responses(), lang).map_err(js_error)
    }

    /// The instrument, as a plain object.
    pub fn instrument(&self) -> Result<JsValue, JsValue> {
        to_js(&self.instrument)
    }

    /// The responses as interchange CSV bytes (with a byte-order mark if `bom`).
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self, bom: bool) -> Result<Vec<u8>, JsValue> {
        self.view
            .responses()
            .to_csv(&self.instrument, bom)
            .map_err(js_error)
    }
}

#[cfg(feature = "worker")]
#[wasm_bindgen]
impl Dataset {
    /// A data set with no responses.
    pub fn empty(instrument_json: Option<String>) -> Result<Dataset, JsValue> {
        let instrument = instrument_or_builtin(instrument_json)?;
        let responses = Responses::new(&instrument, &[]).map_err(js_error)?;
        Ok(Dataset::new(instrument, responses))
    }

    /// Rebuilds a device's saved responses from columns: `codes` holds a row of
    /// codes per id (a `Uint8Array`), `extra_values` a row of texts per id.
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(
        ids: Vec<String>,
        codes: &[u8],
        extra_names: Vec<String>,
        extra_values: Vec<String>,
        instrument_json: Option<String>,
    ) -> Result<Dataset, JsValue> {
        let instrument = instrument_or_builtin(instrument_json)?;
        let names: Vec<&str> = extra_names.iter().map(String::as_str).collect();
        let responses = Responses::from_columns(&instrument, &ids, codes, &names, &extra_values)
            .map_err(js_error)?;
        Ok(Dataset::new(instrument, responses))
    }

    /// Restores a full backup (instrument, responses and audit trail).
    #[wasm_bindgen(js_name = fromBackup)]
    pub fn from_backup(text: &str) -> Result<Dataset, JsValue> {
        let b = backup::read(text).map_err(js_error)?;
        Ok(Dataset {
            instrument: b.instrument,
            view: View::new(b.responses),
            audit: b.audit,
        })
    }

    /// A full backup of this data set with the given audit trail (an array).
    #[wasm_bindgen(js_name = toBackup)]
    pub fn to_backup(&self, audit: JsValue, created: &str) -> Result<String, JsValue> {
        let audit: serde_json::Value =
            from_js(audit)?.unwrap_or(serde_json::Value::Array(Vec::new()));
        backup::write(&self.instrument, self.view.responses(), &audit, created).map_err(js_error)
    }

    /// The audit trail restored with a backup.
    pub fn audit(&self) -> Result<JsValue, JsValue> {
        to_js(&self.audit)
    }

    /// Every response's codes, one row after another (`length × questions`).
    #[wasm_bindgen(js_name = codesByRow)]
    pub fn codes_by_row(&self) -> Vec<u8> {
        self.view.responses().codes_by_row()
    }

    /// The names of the extra columns (mode, device, source, …).
    #[wasm_bindgen(js_name = extraNames)]
    pub fn extra_names(&self) -> Vec<String> {
        self.view
            .responses()
            .extras()
            .iter()
            .map(|e| e.name.clone())
            .collect()
    }

    /// The extra columns' values, one row after another (`length × extras`).
    #[wasm_bindgen(js_name = extraValues)]
    pub fn extra_values(&self) -> Vec<String> {
        let extras = self.view.responses().extras();
        (0..self.view.responses().len())
            .flat_map(|r| extras.iter().map(move |e| e.values.get(r).to_owned()))
            .collect()
    }

    /// What merging `incoming` into this set would do: new, same and conflicting rows.
    #[wasm_bindgen(js_name = planMerge)]
    pub fn plan_merge(&self, incoming: &Dataset) -> Result<JsValue, JsValue> {
        to_js(
            &merge::plan(
                &self.instrument,
                self.view.responses(),
                incoming.view.responses(),
            )
            .map_err(js_error)?,
        )
    }

    /// This set with `incoming` merged in; `resolutions` maps each conflicting
    /// id to `"existing"` or `"incoming"` (every conflict needs one).
    pub fn merge(&self, incoming: &Dataset, resolutions: JsValue) -> Result<Dataset, JsValue> {
        let choices: HashMap<String, Resolution> = from_js(resolutions)?.unwrap_or_default();
        let plan = merge::plan(
            &self.instrument,
            self.view.responses(),
            incoming.view.responses(),
        )
        .map_err(js_error)?;
        let responses = merge::apply(
            &self.instrument,
            self.view.responses(),
            incoming.view.responses(),
            &plan,
            &choices,
        )
        .map_err(js_error)?;
        Ok(Dataset {
            instrument: self.instrument.clone(),
            view: View::new(responses),
            audit: self.audit.clone(),
        })
    }

    /// The number of responses.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.view.len()
    }

    /// Every question's frequency table.
    pub fn frequencies(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::frequencies(&self.instrument, self.view.responses()).map_err(js_error)?)
    }

    /// The Net Promoter Score.
    pub fn nps(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::nps(&self.instrument, self.view.responses()).map_err(js_error)?)
    }

    /// The satisfaction items' box scores and means.
    pub fn satisfaction(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::satisfaction(&self.instrument, self.view.responses()).map_err(js_error)?)
    }

    /// The full one-way report.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.view.report(&self.instrument).map_err(js_error)?)
    }

    /// The cross-tab of two questions (ids) with χ², Cramér's V, residuals and
    /// column-proportion letters.
    pub fn crosstab(&self, row: &str, col: &str) -> Result<JsValue, JsValue> {
        to_js(
            &self
                .view
                .crosstab(&self.instrument, row, col)
                .map_err(js_error)?,
        )
    }

    /// The cross-tabs of every question in `rows` by every one in `cols`
    /// (arrays of ids), row question after row question, each as `crosstab`
    /// gives it: a banner of many tables counted in one pass.
    pub fn crosstabs(&self, rows: JsValue, cols: JsValue) -> Result<JsValue, JsValue> {
        let rows: Vec<String> = from_js(rows)?.unwrap_or_default();
        let cols: Vec<String> = from_js(cols)?.unwrap_or_default();
        to_js(
            &self
                .view
                .crosstabs(&self.instrument, &rows, &cols)
                .map_err(js_error)?,
        )
    }

    /// The association matrix of the questions `ids` (an array of ids; all
    /// questions when empty or omitted): χ², p and Cramér's V of every ordered
    /// pair, row after row.
    pub fn associations(&self, ids: JsValue) -> Result<JsValue, JsValue> {
        let ids: Vec<String> = from_js(ids)?.unwrap_or_default();
        to_js(
            &crosstab::association_matrix(&self.instrument, self.view.responses(), &ids)
                .map_err(js_error)?,
        )
    }

    /// NPS for each option of a question, with pairwise difference tests.
    #[wasm_bindgen(js_name = npsBy)]
    pub fn nps_by(&self, question: &str) -> Result<JsValue, JsValue> {
        to_js(
            &self
                .view
                .nps_by(&self.instrument, question)
                .map_err(js_error)?,
        )
    }

    /// The test of NPS(this) − NPS(other), e.g. two quarters (`null` if either has no answers).
    #[wasm_bindgen(js_name = compareNps)]
    pub fn compare_nps(&self, other: &Dataset) -> Result<JsValue, JsValue> {
        let a = scoring::nps(&self.instrument, self.view.responses()).map_err(js_error)?;
        let b = scoring::nps(&other.instrument, other.view.responses()).map_err(js_error)?;
        to_js(&scoring::nps_difference(&a, &b))
    }

    /// NPS per period (see trend.rs); `date_column` null uses the default date columns.
    pub fn trend(&self, date_column: Option<String>, period: &str) -> Result<JsValue, JsValue> {
        let period = trend::Period::parse(period).map_err(js_error)?;
        let t = self
            .view
            .trend(&self.instrument, date_column.as_deref(), period);
        to_js(&t.map_err(js_error)?)
    }

    /// Whether the date filter has a column to read (filter.rs `DATE_COLUMNS`).
    #[wasm_bindgen(js_name = hasDates)]
    pub fn has_dates(&self) -> bool {
        filter::has_dates(self.view.responses())
    }

    /// The extra columns that mostly hold dates, the default date columns first.
    #[wasm_bindgen(js_name = dateColumns)]
    pub fn date_columns(&self) -> Vec<String> {
        trend::date_columns(self.view.responses())
    }

    /// The satisfaction scale: overall 0–100 index and Cronbach's α (`null` without items).
    pub fn scale(&self) -> Result<JsValue, JsValue> {
        to_js(&scale::scale(&self.instrument, self.view.responses()).map_err(js_error)?)
    }

    /// Key drivers (see drivers.rs): target/items default to the instrument's.
    pub fn drivers(
        &self,
        target: Option<String>,
        items: Option<Vec<String>>,
        seed: u32,
    ) -> Result<JsValue, JsValue> {
        let options = manyi::drivers::Options {
            target: target.as_deref(),
            items: items.as_deref(),
            seed: u64::from(seed),
            ..manyi::drivers::Options::default()
        };
        // The CLI's fields, plus the item to fix first and the chart's lines.
        to_js(
            &manyi::drivers::drivers(&self.instrument, self.view.responses(), &options)
                .map_err(js_error)?
                .for_page(),
        )
    }

    /// One question's answer codes as a `Uint8Array` (255 = not answered).
    pub fn column(&self, question: &str) -> Result<Vec<u8>, JsValue> {
        let (q, _) = self.instrument.question(question).map_err(js_error)?;
        Ok(self.view.responses().column(q).to_vec())
    }

    /// The response ids, in file order.
    pub fn ids(&self) -> Vec<String> {
        self.view.responses().ids().to_vec()
    }

    /// The responses for people: option texts in `lang` ("zh-CN" or "en") instead of letters.
    #[wasm_bindgen(js_name = toLabelledCsv)]
    pub fn to_labelled_csv(&self, lang: &str, bom: bool) -> Result<Vec<u8>, JsValue> {
        let lang = Lang::parse(lang).unwrap_or_default();
        self.view
            .responses()
            .to_labelled_csv(&self.instrument, lang, bom)
            .map_err(js_error)
    }

    /// The follow-up list as a labelled CSV in `lang`, each detractor with a
    /// last column `follow_up_reason` (why they are on the list).
    #[wasm_bindgen(js_name = followUpCsv)]
    pub fn follow_up_csv(&self, lang: &str, bom: bool) -> Result<Vec<u8>, JsValue> {
        let lang = Lang::parse(lang).unwrap_or_default();
        followup::follow_up_csv(&self.instrument, self.view.responses(), lang, bom)
            .map_err(js_error)
    }

    /// The responses a filter keeps (`{answers, columns, from, to}`; see the
    /// core's `filter` module), as a dataset of their own.
    pub fn filtered(&self, filter: JsValue) -> Result<Dataset, JsValue> {
        let filter: Filter = from_js(filter)?.unwrap_or_default();
        Ok(Dataset {
            instrument: self.instrument.clone(),
            view: self
                .view
                .filtered(&self.instrument, &filter)
                .map_err(js_error)?,
            audit: serde_json::Value::Array(Vec::new()),
        })
    }

    /// Whether a filter keeps every response (so the data set itself is the view).
    #[wasm_bindgen(js_name = keepsAll)]
    pub fn keeps_all(&self, filter: JsValue) -> Result<bool, JsValue> {
        Ok(from_js::<Filter>(filter)?.is_none_or(|f| f.is_empty()))
    }

    /// What a filter keeps: `{rows: count, total, undated}` (rows as a count, not a list).
    #[wasm_bindgen(js_name = filterCounts)]
    pub fn filter_counts(&self, filter: JsValue) -> Result<JsValue, JsValue> {
        let filter: Filter = from_js(filter)?.unwrap_or_default();
        let responses = self.view.responses();
        let (keep, undated) = filter.keep(&self.instrument, responses).map_err(js_error)?;
        to_js(
            &serde_json::json!({ "rows": keep.kept(), "total": responses.len(), "undated": undated }),
        )
    }

    /// The responses at these rows, as a dataset of their own.
    pub fn rows(&self, rows: &[u32]) -> Result<Dataset, JsValue> {
        Ok(Dataset {
            instrument: self.instrument.clone(),
            view: View::new(self.view.rows(rows).map_err(js_error)?),
            audit: serde_json::Value::Array(Vec::new()),
        })
    }

    /// The follow-up list: every detractor with the follow-up rules they meet.
    #[wasm_bindgen(js_name = followUp)]
    pub fn follow_up(&self) -> Result<JsValue, JsValue> {
        to_js(&followup::follow_up(&self.instrument, self.view.responses()).map_err(js_error)?)
    }

    /// The follow-up list summarised (`count`, `by_flag`, `flagged`) with its first `limit` entries.
    #[wasm_bindgen(js_name = followUpList)]
    pub fn follow_up_list(&self, limit: usize) -> Result<JsValue, JsValue> {
        to_js(
            &self
                .view
                .follow_up_list(&self.instrument, limit)
                .map_err(js_error)?,
        )
    }

    /// The follow-up list's rows (every detractor), for exporting them with `rows`.
    #[wasm_bindgen(js_name = followUpRows)]
    pub fn follow_up_rows(&self) -> Result<Vec<u32>, JsValue> {
        let list =
            followup::follow_up(&self.instrument, self.view.responses()).map_err(js_error)?;
        Ok(list.iter().map(|f| f.row).collect())
    }

    /// The distinct values of an extra column (e.g. `mode`), sorted, at most `limit`.
    pub fn distinct(&self, column: &str, limit: usize) -> Vec<String> {
        filter::distinct(self.view.responses(), column, limit)
    }
}

/// A `{key: value}` object built field by field (for results holding bytes,
/// which serde would turn into arrays of numbers).
#[cfg(feature = "worker")]
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// Chunk bytes as a JavaScript array of Uint8Arrays, each copied out (and
/// its wasm copy dropped) before the next is encoded.
#[cfg(feature = "worker")]
fn chunk_array(chunks: impl Iterator<Item = Vec<u8>>) -> JsValue {
    chunks
        .map(|c| JsValue::from(js_sys::Uint8Array::from(c.as_slice())))
        .collect::<js_sys::Array>()
        .into()
}

#[cfg(feature = "worker")]
fn strings(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<js_sys::Array>()
        .into()
}

#[cfg(feature = "worker")]
impl Incoming {
    /// The responses it holds now (an import moves them out).
    fn held(&self) -> usize {
        self.file.sets.iter().map(|s| s.responses.len()).sum()
    }

    fn unspent(&self) -> Result<(), JsValue> {
        if self.spent() {
            return Err(js_sys::Error::new(
                "this file was imported already (its rows moved into the device): read it again",
            )
            .into());
        }
        Ok(())
    }
}

/// What a file brought to the device is, by its name: `backup`, `workbook`
/// (read by the file formats add-on first) or `csv`.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = fileKind)]
pub fn file_kind(name: &str) -> String {
    store::FileKind::of(name).as_str().to_owned()
}

/// A file brought to the device (CSV, workbook or backup), read by its kind.
#[cfg(feature = "worker")]
#[wasm_bindgen]
pub struct Incoming {
    file: backup::DeviceBackup,
    /// The responses it held when read (an import moves them out).
    rows: usize,
}

#[cfg(feature = "worker")]
#[wasm_bindgen]
impl Incoming {
    /// Reads `bytes` as a file of `kind` (`fileKind`'s `backup`, `workbook`
    /// or `csv`), all or nothing; a CSV in pieces, as `Dataset.fromCsv` reads it.
    pub fn read(kind: &str, bytes: &js_sys::Uint8Array) -> Result<Incoming, JsValue> {
        let kind = store::FileKind::parse(kind)
            .ok_or_else(|| js_sys::Error::new(&format!("no kind of file is called {kind:?}")))?;
        let len = bytes.length() as usize;
        let file =
            store::read_file_pieces(kind, len, PIECE, |from, buf| read_piece(bytes, from, buf))
                .map_err(js_error)?;
        let mut incoming = Incoming { file, rows: 0 };
        incoming.rows = incoming.held();
        Ok(incoming)
    }

    /// The responses in the file, all questionnaires together.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.rows
    }

    /// Whether it was imported (its rows moved into the device; a file of no
    /// rows stays as it was): planning or importing it again needs the file
    /// read again.
    #[wasm_bindgen(getter)]
    pub fn spent(&self) -> bool {
        self.held() != self.rows
    }

    /// The file's questionnaire `part` (0 for a CSV or workbook; a backup may
    /// hold several) as a data set, for a report that stores nothing.
    #[wasm_bindgen(js_name = intoDataset)]
    pub fn into_dataset(mut self, part: usize) -> Result<Dataset, JsValue> {
        self.unspent()?;
        if part >= self.file.sets.len() {
            return Err(JsValue::from_str("the file has no such questionnaire"));
        }
        let set = self.file.sets.swap_remove(part);
        Ok(Dataset::new(set.instrument, set.responses))
    }

    /// The audit trail a backup brings (an empty list otherwise).
    pub fn audit(&self) -> Result<JsValue, JsValue> {
        to_js(&self.file.audit)
    }

    /// Leaves out of a backup the forms deleted on this device after it was
    /// made (`trail`: this device's audit trail, as the page reads it); the
    /// ids left out (see `DeviceBackup::leave_out_deleted`).
    #[wasm_bindgen(js_name = leaveOutDeleted)]
    pub fn leave_out_deleted(&mut self, trail: JsValue) -> Result<Vec<String>, JsValue> {
        if self.spent() {
            return Err(js_sys::Error::new("this file was imported already: read it again").into());
        }
        let trail: serde_json::Value = from_js(trail)?.unwrap_or_default();
        let left = self.file.leave_out_deleted(&trail);
        self.rows = self.held();
        Ok(left)
    }

    /// The entries of the backup's audit trail that `mine` (this device's
    /// trail, as the page reads it) lacks: what restoring it writes.
    #[wasm_bindgen(js_name = auditNotIn)]
    pub fn audit_not_in(&self, mine: JsValue) -> Result<JsValue, JsValue> {
        let mine: serde_json::Value = from_js(mine)?.unwrap_or_default();
        to_js(&backup::audit_not_in(&self.file.audit, &mine))
    }

    /// The paper forms keyed once that a backup brings (an empty list otherwise).
    pub fn entries(&self) -> Result<JsValue, JsValue> {
        to_js(&self.file.entries)
    }

    /// The invitations a backup brings (an empty list otherwise).
    pub fn invitations(&self) -> Result<JsValue, JsValue> {
        to_js(&self.file.invitations)
    }

    /// What restoring brings of the backup's branch key, given this device's
    /// (`mineKey` and `mineName`, or none): `{kind: "none" | "restored" |
    /// "same" | "kept", name?, theirs?, mine?}` (the core's `KeyRestore`).
    #[wasm_bindgen(js_name = keyRestore)]
    pub fn key_restore(
        &self,
        mine_key: Option<Vec<u8>>,
        mine_name: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let theirs = backup::branch_key(&self.file.branch_key).map_err(js_error)?;
        let mine = mine_key
            .as_deref()
            .map(|k| (k, mine_name.as_deref().unwrap_or("")));
        to_js(&backup::key_restore(theirs.as_ref(), mine))
    }

    /// The branch key a backup brings, as the page keeps it
    /// (`{key: Uint8Array, name, createdAt}`), or `null`.
    #[wasm_bindgen(js_name = branchKey)]
    pub fn branch_key(&self) -> Result<JsValue, JsValue> {
        let Some(k) = backup::branch_key(&self.file.branch_key).map_err(js_error)? else {
            return Ok(JsValue::NULL);
        };
        Ok(object(&[
            ("key", js_sys::Uint8Array::from(k.key.as_slice()).into()),
            ("name", JsValue::from_str(&k.name)),
            ("createdAt", JsValue::from_str(&k.created_at)),
        ]))
    }
}

/// Everything the device holds, loaded from the page's chunks, log records
/// and instruments (see the core's `store` module), then queried and changed.
#[cfg(feature = "worker")]
#[wasm_bindgen]
pub struct DeviceStore {
    device: store::Device,
}

#[cfg(feature = "worker")]
impl Default for DeviceStore {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "worker")]
#[wasm_bindgen]
impl DeviceStore {
    /// An empty device.
    #[wasm_bindgen(constructor)]
    pub fn new() -> DeviceStore {
        DeviceStore {
            device: store::Device::new(),
        }
    }

    /// An instrument the page keeps under `key` (log records name it).
    #[wasm_bindgen(js_name = addInstrument)]
    pub fn add_instrument(&mut self, key: &str, json: &str) {
        self.device.add_instrument(key, json);
    }

    /// A chunk's bytes, kept by the page under `key`.
    #[wasm_bindgen(js_name = addChunk)]
    pub fn add_chunk(&mut self, key: &str, bytes: &[u8]) {
        self.device.add_chunk(key, bytes);
    }

    /// A log record: a response (`codes`, extra columns as names and values,
    /// `contact` as `[name, phone, consent_at]` or empty) or a deletion.
    #[wasm_bindgen(js_name = addLog)]
    #[allow(clippy::too_many_arguments)]
    pub fn add_log(
        &mut self,
        key: &str,
        id: &str,
        instrument: &str,
        codes: &[u8],
        extra_names: Vec<String>,
        extra_values: Vec<String>,
        contact: Vec<String>,
        exported: bool,
        deleted: bool,
    ) {
        let contact = match contact.as_slice() {
            [name, phone, consent_at] => Some(Contact {
                name: name.clone(),
                phone: phone.clone(),
                consent_at: consent_at.clone(),
            }),
            _ => None,
        };
        self.device.add_log(LogRecord {
            key: key.to_owned(),
            id: id.to_owned(),
            instrument: instrument.to_owned(),
            codes: codes.to_vec(),
            extras: extra_names.into_iter().zip(extra_values).collect(),
            contact,
            exported,
            deleted,
        });
    }

    /// `{sets: [{fingerprint, id, version, title, n, unexported, contacts,
    /// ambiguous}], quarantine: [{what, key, id?, reason}]}`.
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js(&serde_json::json!({
            "sets": self.device.summary(),
            "quarantine": self.device.quarantine,
        }))
    }

    /// One questionnaire's responses as a data set, moved out of the device
    /// (no copy; the device no longer holds them): for a view that only reads.
    #[wasm_bindgen(js_name = takeDataset)]
    pub fn take_dataset(&mut self, fingerprint: &str) -> Result<Dataset, JsValue> {
        let set = self
            .device
            .sets
            .remove(fingerprint)
            .ok_or_else(|| unknown_set(fingerprint))?;
        Ok(Dataset::new(set.instrument, set.responses))
    }

    /// One questionnaire's responses as a data set (with the call-back
    /// contacts as columns if `contacts`).
    pub fn dataset(&self, fingerprint: &str, contacts: bool) -> Result<Dataset, JsValue> {
        let set = self.set(fingerprint)?;
        Ok(Dataset::new(
            set.instrument.clone(),
            set.responses_with(contacts),
        ))
    }

    /// Whether any questionnaire's responses hold this id.
    pub fn holds(&self, id: &str) -> bool {
        self.device.holds(id)
    }

    /// What restoring `incoming`'s paper forms keyed once does here, where
    /// `mine` (the page's `entries`) wait: `{add, same, counted, kept}` (see
    /// src/core/store/entries.rs).
    #[wasm_bindgen(js_name = planEntries)]
    pub fn plan_entries(&self, incoming: &Incoming, mine: JsValue) -> Result<JsValue, JsValue> {
        let mine: Vec<store::PendingEntry> = from_js(mine)?.unwrap_or_default();
        to_js(&store::plan_entries(&incoming.file.entries, &mine, &self.device).map_err(js_error)?)
    }

    /// How many responses (and deletions) come from the log.
    #[wasm_bindgen(js_name = logRows)]
    pub fn log_rows(&self) -> usize {
        self.device.log_rows()
    }

    /// Whether the page should compact now (the log is long, or an older
    /// text revision's chunks are to be retired).
    #[wasm_bindgen(js_name = shouldCompact)]
    pub fn should_compact(&self) -> bool {
        self.device.should_compact()
    }

    /// Folds the log into chunks: `[{fingerprint, chunks, dropLog}]`, to write
    /// in one transaction (see `applyImport`).
    pub fn compact(&mut self) -> JsValue {
        self.device
            .compact()
            .into_iter()
            .map(|(fp, chunks, drop)| {
                object(&[
                    ("fingerprint", JsValue::from_str(&fp)),
                    ("chunks", chunk_array(chunks.into_iter())),
                    ("dropLog", strings(&drop)),
                ])
            })
            .collect::<js_sys::Array>()
            .into()
    }

    /// The responses of the questionnaire `instrument_json` whose extra column
    /// `column` says `value` (e.g. `mode` = `paper`), as a data set; empty if none.
    #[wasm_bindgen(js_name = rowsWhere)]
    pub fn rows_where(
        &self,
        instrument_json: &str,
        column: &str,
        value: &str,
    ) -> Result<Dataset, JsValue> {
        let instrument = Instrument::from_json(instrument_json).map_err(js_error)?;
        let responses = match self.device.rows_where(&instrument, column, value) {
            Some(set) => set.responses,
            None => Responses::new(&instrument, &[]).map_err(js_error)?,
        };
        Ok(Dataset::new(instrument, responses))
    }

    /// What importing `incoming` would do: `{rows, new, same, conflicts,
    /// questions, sets}` (over every questionnaire in the file; `sets` per
    /// questionnaire; `questions` the ids the conflicts' answers are listed by).
    #[wasm_bindgen(js_name = planImport)]
    pub fn plan_import(&self, incoming: &Incoming) -> Result<JsValue, JsValue> {
        incoming.unspent()?;
        let plans = self.device.plan_import(&incoming.file).map_err(js_error)?;
        to_js(&store::ImportPreview::of(&plans, &incoming.file))
    }

    /// Imports `incoming` (planned again against what is held now; every
    /// conflict needs a resolution by id). Returns `{added, replaced, same,
    /// writes: [{fingerprint, chunks: [Uint8Array], dropLog: [key]}]}`: per
    /// questionnaire changed, the chunks that now hold it and the log records
    /// they replace, for the page to write in one transaction. The file's
    /// rows move into the device (`incoming.spent` after): to plan again, the
    /// page reads the file again.
    #[wasm_bindgen(js_name = applyImport)]
    pub fn apply_import(
        &mut self,
        incoming: &mut Incoming,
        resolutions: JsValue,
        source: &str,
        device: &str,
        operator: &str,
    ) -> Result<JsValue, JsValue> {
        let choices: HashMap<String, Resolution> = from_js(resolutions)?.unwrap_or_default();
        let provenance = Provenance {
            source: source.to_owned(),
            device: device.to_owned(),
            operator: operator.to_owned(),
        };
        incoming.unspent()?;
        // Refused before anything moved, or imported with the rows moved (`spent`).
        let done = self
            .device
            .apply_import(&mut incoming.file, &choices, &provenance)
            .map_err(js_error)?;
        let total = store::Applied::total(done.iter().map(|(_, a)| a));
        let writes = js_sys::Array::new();
        for (fp, a) in &done {
            writes.push(&object(&[
                ("fingerprint", JsValue::from_str(fp)),
                ("chunks", chunk_array(self.set(fp)?.each_chunk())),
                ("dropLog", strings(&a.drop_log)),
            ]));
            retire(&writes, self.device.retired(fp));
        }
        Ok(object(&[
            ("added", JsValue::from(total.added as f64)),
            ("replaced", JsValue::from(total.replaced as f64)),
            ("same", JsValue::from(total.same as f64)),
            ("writes", writes.into()),
        ]))
    }

    /// Marks one questionnaire's responses exported: `{fingerprint, chunks,
    /// logKeys}`, the chunks to write and the log records to mark.
    #[wasm_bindgen(js_name = markExported)]
    pub fn mark_exported(&mut self, fingerprint: &str) -> Result<JsValue, JsValue> {
        let set = self
            .device
            .sets
            .get_mut(fingerprint)
            .ok_or_else(|| unknown_set(fingerprint))?;
        let keys = store::mark_exported(set);
        let chunks = chunk_array(set.each_chunk());
        let retired = js_sys::Array::new();
        retire(&retired, self.device.retired(fingerprint));
        Ok(object(&[
            ("fingerprint", JsValue::from_str(fingerprint)),
            ("chunks", chunks),
            ("logKeys", strings(&keys)),
            ("retired", retired.into()),
        ]))
    }
}

/// Adds to `writes` a write with no chunks for each older revision's set
/// that `retired` names: the page deletes their chunks in the same transaction.
#[cfg(feature = "worker")]
fn retire(writes: &js_sys::Array, retired: &[String]) {
    for old in retired {
        writes.push(&object(&[
            ("fingerprint", JsValue::from_str(old)),
            ("chunks", js_sys::Array::new().into()),
            ("dropLog", js_sys::Array::new().into()),
        ]));
    }
}

#[cfg(feature = "worker")]
impl DeviceStore {
    fn set(&self, fingerprint: &str) -> Result<&store::StoredSet, JsValue> {
        self.device
            .sets
            .get(fingerprint)
            .ok_or_else(|| unknown_set(fingerprint))
    }
}

/// The error for a questionnaire fingerprint the device does not hold.
#[cfg(feature = "worker")]
fn unknown_set(fingerprint: &str) -> JsValue {
    js_error(Error::single(
        manyi::ErrorKind::Request,
        manyi::Problem::new(
            manyi::ProblemCode::UnknownName,
            "no responses of this questionnaire are on this device",
        )
        .with_value(fingerprint),
    ))
}

// ---- Follow-up cases (issue 17, closing the loop): src/core/cases/ ----------

/// A list of case events from the page (`undefined` or `null`: none).
#[cfg(feature = "worker")]
fn case_events(value: JsValue) -> Result<Vec<manyi::cases::Event>, JsValue> {
    Ok(from_js(value)?.unwrap_or_default())
}

#[cfg(feature = "worker")]
#[wasm_bindgen]
impl Dataset {
    /// The follow-up cases of these responses: `{count, cases: [{id, row,
    /// score, reasons, status, holder, opened, due, overdue, closed_at, notes,
    /// head, conflict, history, contact}], figures, by_holder, conflicts}`,
    /// the first `limit` cases listed. `events` are the device's case events,
    /// `contacts` its call-back contacts (`[{id, name, phone, consent_at}]`),
    /// `today` is `YYYY-MM-DD`.
    #[wasm_bindgen(js_name = cases)]
    pub fn cases(
        &self,
        events: JsValue,
        contacts: JsValue,
        today: &str,
        lang: &str,
        limit: usize,
    ) -> Result<JsValue, JsValue> {
        let events = case_events(events)?;
        let contacts: Vec<manyi::cases::CallBack> = from_js(contacts)?.unwrap_or_default();
        let lang = Lang::parse(lang).unwrap_or_default();
        to_js(
            &manyi::cases::cases(
                &self.instrument,
                self.view.responses(),
                &events,
                &contacts,
                today,
                lang,
                limit,
            )
            .map_err(js_error)?,
        )
    }

    /// The event a person's change makes (`{id, case, parent, at, who,
    /// status?, holder?, note?, due?}`), checked against the device's `events`.
    #[wasm_bindgen(js_name = nextCaseEvent)]
    pub fn next_case_event(&self, events: JsValue, change: JsValue) -> Result<JsValue, JsValue> {
        let events = case_events(events)?;
        let change: manyi::cases::Change = from_js(change)?.unwrap_or_default();
        to_js(&manyi::cases::next_event(self.view.responses(), &events, &change).map_err(js_error)?)
    }

    /// Every case as a CSV in `lang` (contacts only if `with_contacts`).
    #[wasm_bindgen(js_name = casesCsv)]
    #[allow(clippy::too_many_arguments)]
    pub fn cases_csv(
        &self,
        events: JsValue,
        contacts: JsValue,
        today: &str,
        lang: &str,
        bom: bool,
        with_contacts: bool,
    ) -> Result<Vec<u8>, JsValue> {
        let events = case_events(events)?;
        let contacts: Vec<manyi::cases::CallBack> = from_js(contacts)?.unwrap_or_default();
        let lang = Lang::parse(lang).unwrap_or_default();
        manyi::cases::cases_csv(
            &self.instrument,
            self.view.responses(),
            &events,
            &contacts,
            today,
            lang,
            bom,
            with_contacts,
        )
        .map_err(js_error)
    }
}

/// Merges another device's case events into this one's: `{events, new, added,
/// conflicts}` (all or nothing: an event differing under the same id refuses it).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = mergeCaseEvents)]
pub fn merge_case_events(mine: JsValue, theirs: JsValue) -> Result<JsValue, JsValue> {
    let mine = case_events(mine)?;
    let theirs = case_events(theirs)?;
    to_js(&manyi::cases::merge_events(&mine, &theirs).map_err(js_error)?)
}

#[cfg(feature = "worker")]
#[wasm_bindgen]
impl Incoming {
    /// The follow-up case events a backup brings (an empty list otherwise).
    #[wasm_bindgen(js_name = caseEvents)]
    pub fn case_events(&self) -> Result<JsValue, JsValue> {
        to_js(&self.file.cases)
    }
}

#[cfg(feature = "worker")]
#[wasm_bindgen]
impl DeviceStore {
    /// One questionnaire's call-back contacts, `[{id, name, phone,
    /// consent_at}]` (the rows that have one), for the follow-up cases.
    #[wasm_bindgen(js_name = callBacks)]
    pub fn call_backs(&self, fingerprint: &str) -> Result<JsValue, JsValue> {
        let set = self.set(fingerprint)?;
        let list: Vec<manyi::cases::CallBack> = set
            .contacts
            .iter()
            .zip(set.responses.ids())
            .filter_map(|(c, id)| {
                c.as_ref().map(|c| manyi::cases::CallBack {
                    id: id.to_owned(),
                    name: c.name.clone(),
                    phone: c.phone.clone(),
                    consent_at: c.consent_at.clone(),
                })
            })
            .collect();
        to_js(&list)
    }

    /// As `toBackup`, with the device's follow-up case events (`cases`).
    #[wasm_bindgen(js_name = toBackupWithCases)]
    #[allow(clippy::too_many_arguments)]
    pub fn to_backup_with_cases(
        &self,
        entries: JsValue,
        invitations: JsValue,
        audit: JsValue,
        cases: JsValue,
        key: Option<Vec<u8>>,
        key_name: &str,
        key_created: &str,
        created: &str,
    ) -> Result<String, JsValue> {
        let list = |v: JsValue| -> Result<serde_json::Value, JsValue> {
            Ok(from_js(v)?.unwrap_or(serde_json::Value::Array(Vec::new())))
        };
        let branch = match key {
            Some(k) => backup::branch_key_json(&k, key_name, key_created).map_err(js_error)?,
            None => serde_json::Value::Null,
        };
        backup::write_device_full(
            &self.device.backup_sets(),
            &list(entries)?,
            &list(invitations)?,
            &list(audit)?,
            &case_events(cases)?,
            &branch,
            created,
        )
        .map_err(js_error)
    }
}
