//! The full one-way report: every frequency table, the NPS and the
//! satisfaction items and scale, from one count of each column. It sits above
//! the modules it combines (`scoring` for the tables, NPS and items; `scale`
//! for the index and α), so neither of those depends on the other's caller.

use crate::error::Result;
use crate::filter::Keep;
use crate::instrument::Instrument;
use crate::responses::Responses;
use crate::scale::{scale_of, Scale};
use crate::scoring::{
    frequencies_where, nps_from_scores, satisfaction_item, Frequencies, Nps, SatisfactionItem,
};

/// Everything one-way about a data set: what `manyi report` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// The instrument's id.
    pub instrument: String,
    /// The instrument's version.
    pub version: String,
    /// The number of responses.
    pub n: u64,
    /// Every question's frequency table.
    pub frequencies: Frequencies,
    /// The NPS, if the instrument has an NPS question.
    pub nps: Option<Nps>,
    /// The satisfaction items, if any.
    pub satisfaction: Vec<SatisfactionItem>,
    /// The satisfaction scale's overall index and reliability, if it has items.
    pub scale: Option<Scale>,
}

/// The full one-way report.
pub fn report(instrument: &Instrument, responses: &Responses) -> Result<Report> {
    report_where(instrument, responses, None)
}

/// The full one-way report of the rows `keep` keeps (every row if `None`):
/// a filter change recounts the data set in place instead of copying the
/// kept rows out first. Equal to [`report`] of those rows (tests/count_props.rs).
pub fn report_where(
    instrument: &Instrument,
    responses: &Responses,
    keep: Option<&Keep>,
) -> Result<Report> {
    // Each column is counted once: NPS, the satisfaction items and the scale's
    // index read the frequency tables (α makes its own pass over the items).
    let frequencies = frequencies_where(instrument, responses, keep)?;
    let table = |q: usize| &frequencies.questions[q];
    let nps = instrument.nps().map(|q| {
        let f = table(q);
        nps_from_scores(&f.question, &f.counts, f.missing)
    });
    let satisfaction: Vec<SatisfactionItem> = instrument
        .satisfaction()
        .iter()
        .map(|&q| satisfaction_item(table(q)))
        .collect();
    Ok(Report {
        instrument: instrument.id().to_owned(),
        version: instrument.version().to_owned(),
        n: keep.map_or(responses.len() as u64, Keep::kept),
        scale: scale_of(instrument, responses, &satisfaction, keep),
        frequencies,
        nps,
        satisfaction,
    })
}
