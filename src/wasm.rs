//! The WebAssembly boundary: the only module that knows about JavaScript.
//!
//! It converts and forwards, nothing more: bytes and typed arrays in, plain
//! objects out (through serde-wasm-bindgen, maps as objects), and every core
//! [`Error`] becomes a JavaScript `Error` whose `message` is the core's text and
//! whose `problems` lists each problem with its line, column and value.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{crosstab, scale, scoring, Error, Instrument, Responses};

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()).into())
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

fn instrument_or_builtin(json: Option<String>) -> Result<Instrument, JsValue> {
    match json {
        Some(text) => Instrument::from_json(&text).map_err(js_error),
        None => Ok(Instrument::builtin()),
    }
}

/// The built-in instrument, as a plain object in the instrument file format.
#[wasm_bindgen(js_name = builtinInstrument)]
pub fn builtin_instrument() -> Result<JsValue, JsValue> {
    to_js(&Instrument::builtin())
}

/// Checks an instrument's JSON text and returns it as a plain object.
#[wasm_bindgen(js_name = parseInstrument)]
pub fn parse_instrument(json: &str) -> Result<JsValue, JsValue> {
    to_js(&Instrument::from_json(json).map_err(js_error)?)
}

/// Responses loaded once, then queried.
#[wasm_bindgen]
pub struct Dataset {
    instrument: Instrument,
    responses: Responses,
}

#[wasm_bindgen]
impl Dataset {
    /// Imports CSV bytes (all or nothing) against the given instrument JSON, or
    /// the built-in instrument when it is omitted.
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(csv: &[u8], instrument_json: Option<String>) -> Result<Dataset, JsValue> {
        let instrument = instrument_or_builtin(instrument_json)?;
        let responses = Responses::from_csv(&instrument, csv).map_err(js_error)?;
        Ok(Dataset {
            instrument,
            responses,
        })
    }

    /// The number of responses.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.responses.len()
    }

    /// The instrument, as a plain object.
    pub fn instrument(&self) -> Result<JsValue, JsValue> {
        to_js(&self.instrument)
    }

    /// Every question's frequency table.
    pub fn frequencies(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::frequencies(&self.instrument, &self.responses).map_err(js_error)?)
    }

    /// The Net Promoter Score.
    pub fn nps(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::nps(&self.instrument, &self.responses).map_err(js_error)?)
    }

    /// The satisfaction items' box scores and means.
    pub fn satisfaction(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::satisfaction(&self.instrument, &self.responses).map_err(js_error)?)
    }

    /// The full one-way report.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&scoring::report(&self.instrument, &self.responses).map_err(js_error)?)
    }

    /// The cross-tab of two questions (ids) with χ², Cramér's V, residuals and
    /// column-proportion letters.
    pub fn crosstab(&self, row: &str, col: &str) -> Result<JsValue, JsValue> {
        to_js(&crosstab::crosstab(&self.instrument, &self.responses, row, col).map_err(js_error)?)
    }

    /// NPS for each option of a question, with pairwise difference tests.
    #[wasm_bindgen(js_name = npsBy)]
    pub fn nps_by(&self, question: &str) -> Result<JsValue, JsValue> {
        to_js(&scoring::nps_by(&self.instrument, &self.responses, question).map_err(js_error)?)
    }

    /// The test of NPS(this) − NPS(other), e.g. two quarters (`null` if either has no answers).
    #[wasm_bindgen(js_name = compareNps)]
    pub fn compare_nps(&self, other: &Dataset) -> Result<JsValue, JsValue> {
        let a = scoring::nps(&self.instrument, &self.responses).map_err(js_error)?;
        let b = scoring::nps(&other.instrument, &other.responses).map_err(js_error)?;
        to_js(&scoring::nps_difference(&a, &b))
    }

    /// The satisfaction scale: overall 0–100 index and Cronbach's α (`null` without items).
    pub fn scale(&self) -> Result<JsValue, JsValue> {
        to_js(&scale::scale(&self.instrument, &self.responses).map_err(js_error)?)
    }

    /// One question's answer codes as a `Uint8Array` (255 = not answered).
    pub fn column(&self, question: &str) -> Result<Vec<u8>, JsValue> {
        let (q, _) = self.instrument.question(question).map_err(js_error)?;
        Ok(self.responses.column(q).to_vec())
    }

    /// The response ids, in file order.
    pub fn ids(&self) -> Vec<String> {
        self.responses.ids().to_vec()
    }

    /// The responses as interchange CSV bytes (with a byte-order mark if `bom`).
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self, bom: bool) -> Result<Vec<u8>, JsValue> {
        self.responses
            .to_csv(&self.instrument, bom)
            .map_err(js_error)
    }
}
