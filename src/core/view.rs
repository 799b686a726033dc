//! A data set under a filter, counted in place.
//!
//! The rule: a filter change must not copy the data set. A [`View`] shares the
//! full responses and holds the filter's [`Keep`] column (0 kept, MISSING
//! dropped); the report, a cross-tab, NPS by a question or column, the trend
//! and the follow-up list count the kept rows where they lie
//! (`report_where`, `crosstab_where`, …), and give exactly what the same
//! call on a copy of the kept rows gives (tests/count_props.rs). Whatever
//! else needs the rows themselves (exports, backups, the key drivers) gets
//! that copy, made once, on first use ([`View::responses`]).
//!
//! Row numbers are the view's: row `i` is the `i`-th kept row, as in the copy.

use std::cell::OnceCell;
use std::rc::Rc;

use crate::crosstab::{crosstab_where, crosstabs_where, Crosstab};
use crate::error::Result;
use crate::filter::{Filter, Keep};
use crate::followup::{follow_up_list_where, FollowUpList};
use crate::instrument::Instrument;
use crate::report::{report_where, Report};
use crate::responses::Responses;
use crate::scoring::{nps_by_where, NpsBy};
use crate::trend::{trend_where, Period, Trend};

/// The responses a filter keeps, without a copy until one is needed.
#[derive(Debug, Clone)]
pub struct View {
    all: Rc<Responses>,
    keep: Option<Keep>,
    copy: OnceCell<Rc<Responses>>,
}

impl View {
    /// Every response.
    pub fn new(responses: Responses) -> View {
        View {
            all: Rc::new(responses),
            keep: None,
            copy: OnceCell::new(),
        }
    }

    /// The responses of this view that `filter` keeps: a view of the same
    /// shared set whose keep column drops what either drops.
    pub fn filtered(&self, instrument: &Instrument, filter: &Filter) -> Result<View> {
        if filter.is_empty() {
            return Ok(self.clone());
        }
        let (keep, _) = filter.keep(instrument, &self.all)?;
        Ok(View {
            all: Rc::clone(&self.all),
            keep: Some(match &self.keep {
                Some(own) => own.and(&keep),
                None => keep,
            }),
            copy: OnceCell::new(),
        })
    }

    /// The number of responses in the view.
    pub fn len(&self) -> usize {
        self.keep
            .as_ref()
            .map_or(self.all.len(), |k| k.kept() as usize)
    }

    /// Whether the view has no responses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The view's responses as a data set of their own: the shared set when
    /// nothing is filtered out, else a copy of the kept rows made on first use.
    pub fn responses(&self) -> &Responses {
        match &self.keep {
            None => &self.all,
            Some(keep) => self
                .copy
                .get_or_init(|| Rc::new(self.all.pick(&keep.rows()))),
        }
    }

    /// The view's rows `rows` (numbered within the view) as a data set.
    pub fn rows(&self, rows: &[u32]) -> Result<Responses> {
        match (&self.keep, self.copy.get()) {
            (None, _) => self.all.select(rows),
            (Some(_), Some(copy)) => copy.select(rows),
            (Some(keep), None) => {
                let base = keep.base_rows(rows);
                match base {
                    Some(base) => Ok(self.all.pick(&base)),
                    // Rows out of order, or one past the view's end (which
                    // `select` refuses as it always has): from the copy.
                    None => self.responses().select(rows),
                }
            }
        }
    }

    /// The full one-way report of the view.
    pub fn report(&self, instrument: &Instrument) -> Result<Report> {
        report_where(instrument, &self.all, self.keep.as_ref())
    }

    /// The cross-tab of two questions (ids) in the view.
    pub fn crosstab(&self, instrument: &Instrument, row: &str, col: &str) -> Result<Crosstab> {
        crosstab_where(instrument, &self.all, row, col, self.keep.as_ref())
    }

    /// The cross-tabs of every question in `rows` by every one in `cols` in the view.
    pub fn crosstabs(
        &self,
        instrument: &Instrument,
        rows: &[String],
        cols: &[String],
    ) -> Result<Vec<Crosstab>> {
        crosstabs_where(instrument, &self.all, rows, cols, self.keep.as_ref())
    }

    /// NPS by a question or column in the view.
    pub fn nps_by(&self, instrument: &Instrument, by: &str) -> Result<NpsBy> {
        nps_by_where(instrument, &self.all, by, self.keep.as_ref())
    }

    /// NPS per period in the view.
    pub fn trend(
        &self,
        instrument: &Instrument,
        date_column: Option<&str>,
        period: Period,
    ) -> Result<Trend> {
        trend_where(
            instrument,
            &self.all,
            date_column,
            period,
            self.keep.as_ref(),
        )
    }

    /// The view's follow-up list, its first `limit` entries built (rows
    /// numbered within the view).
    pub fn follow_up_list(&self, instrument: &Instrument, limit: usize) -> Result<FollowUpList> {
        follow_up_list_where(instrument, &self.all, limit, self.keep.as_ref())
    }
}
