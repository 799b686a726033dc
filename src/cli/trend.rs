//! `manyi trend`: NPS per period (being built; see issue 17).

use manyi::{Instrument, Lang, Responses};

use crate::Failure;

pub(crate) fn run(
    _instrument: &Instrument,
    _responses: &Responses,
    _date_column: Option<&str>,
    _period: Option<&str>,
    _json: bool,
    _lang: Lang,
) -> Result<String, Failure> {
    Err(Failure::Usage("trend is not built yet".into()))
}
