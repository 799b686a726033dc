//! `manyi drivers`: key-driver analysis (being built; see issue 17).

use manyi::{Instrument, Lang, Responses};

use crate::Failure;

pub(crate) fn run(
    _instrument: &Instrument,
    _responses: &Responses,
    _target: Option<&str>,
    _items: Option<&str>,
    _seed: u64,
    _json: bool,
    _lang: Lang,
) -> Result<String, Failure> {
    Err(Failure::Usage("drivers is not built yet".into()))
}
