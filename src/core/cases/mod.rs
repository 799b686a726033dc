//! Follow-up cases: closing the loop with each flagged customer.
//!
//! Every response on the follow-up list ([`crate::followup::follow_up`]: a
//! detractor, or one meeting a `when` rule) is a **case**. What staff do about
//! it is an append-only log of [`Event`]s, one per change, like commits:
//! each names its `parent` (the state it changes; `null` only for a case's
//! first event) and carries the whole state after it — `status`, `holder` and
//! a `due` date override — with the `note` it adds, `who` made it and `at`
//! what time. Events are never edited or removed, so the log is the audit
//! trail of the case.
//!
//! - **Status.** A case with no events is `open`, held by nobody. Allowed
//!   changes: open → contacted, unreachable, declined or resolved; contacted →
//!   resolved, unreachable, declined or contacted again (another call); a
//!   closed case (resolved, unreachable, declined) → open (reopened) only.
//!   Keeping the status while changing the holder, the due date or adding a
//!   note is always allowed. [`next_event`] refuses anything else, naming it.
//! - **Dates.** A case is opened on its response's date (the first of the
//!   [`DATE_COLUMNS`](crate::filter::DATE_COLUMNS) that is filled in) and due
//!   that date plus the instrument's `follow_up_due_days` working days
//!   (Monday to Friday; public holidays are not known and count as working
//!   days), unless an event set another due date. A response without a date
//!   has an unknown opening date: no due date, never overdue. A case is
//!   overdue when it is not closed and today is after its due date. It was
//!   closed at the `at` of the event that closed it (later notes on a closed
//!   case do not move it), and closed within its due time when that date is
//!   on or before the due date.
//! - **Heads and conflicts.** A case's state is its head: the event no other
//!   event names as `parent` or in `merged`. Two devices that changed the
//!   same case apart give it two heads — a conflict, which a person settles
//!   by choosing one: the resolution is a new event whose parent is the chosen
//!   head and whose `merged` lists the others. Until then the case shows the
//!   latest head (by time, then id) and lists all of them.
//! - **Merging** two devices' events is the union by event id ([`merge_events`]):
//!   a change made after another on one device has it as an ancestor, so the
//!   later one simply wins; two changes made apart are a conflict. The same id
//!   with different content is refused.
//! - **Figures.** Cases opened, open, overdue and closed; the % of closed cases
//!   with a due date closed within it and the median of (closed date − opened
//!   date) in days over closed cases with an opened date — both `null`, never
//!   NaN, when there is no such case — in all and per holder.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::csv::{write_cells, Cell};
use crate::date::{self, Day};
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::filter;
use crate::followup::{self, FollowUp};
use crate::instrument::{Instrument, Lang, MAX_NAME, MAX_TEXT};
use crate::responses::Responses;

mod change;
mod check;

pub use change::{merge_events, next_event};
pub use check::check_log;

/// The implicit state of a case before its first event.
const START: Status = Status::Open;

/// The most characters of an event's `case` (a response id) and `at`.
const MAX_ID: usize = 200;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nobody has reached the customer yet.
    Open,
    /// Staff spoke with the customer; more to do.
    Contacted,
    /// The customer's matter is settled.
    Resolved,
    /// The customer could not be reached.
    Unreachable,
    /// The customer did not want to be called.
    Declined,
}

impl Status {
    /// Every status, in the order a case moves through them.
    pub const ALL: [Status; 5] = [
        Status::Open,
        Status::Contacted,
        Status::Resolved,
        Status::Unreachable,
        Status::Declined,
    ];

    /// Whether the case is closed (resolved, unreachable or declined).
    pub fn closed(self) -> bool {
        matches!(
            self,
            Status::Resolved | Status::Unreachable | Status::Declined
        )
    }

    /// Whether a case may go from `self` to `to` (see the module docs).
    pub fn may_become(self, to: Status) -> bool {
        use Status::*;
        self == to
            || match self {
                Open => matches!(to, Contacted | Unreachable | Declined | Resolved),
                Contacted => matches!(to, Resolved | Unreachable | Declined),
                Resolved | Unreachable | Declined => to == Open,
            }
    }

    /// The status as people read it.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Open, Lang::ZhCn) => "待联系",
            (Status::Contacted, Lang::ZhCn) => "已联系",
            (Status::Resolved, Lang::ZhCn) => "已解决",
            (Status::Unreachable, Lang::ZhCn) => "联系不上",
            (Status::Declined, Lang::ZhCn) => "客户谢绝",
            (Status::Open, Lang::En) => "open",
            (Status::Contacted, Lang::En) => "contacted",
            (Status::Resolved, Lang::En) => "resolved",
            (Status::Unreachable, Lang::En) => "unreachable",
            (Status::Declined, Lang::En) => "declined",
        }
    }

    fn name(self) -> &'static str {
        self.label(Lang::En)
    }
}

/// One change to a case, as stored (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 16 lowercase hex digits, random, chosen by the page.
    pub id: String,
    /// The response id the case is about.
    pub case: String,
    /// The event this one changes; `None` only for a case's first event.
    #[serde(default)]
    pub parent: Option<String>,
    /// On a conflict's resolution: the heads not chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<String>,
    /// When, as an ISO 8601 time (`2026-12-03T09:30:00.000Z`).
    pub at: String,
    /// The staff member who made the change.
    pub who: String,
    /// The status after it.
    pub status: Status,
    /// Who holds the case after it.
    #[serde(default)]
    pub holder: Option<String>,
    /// The note it adds.
    #[serde(default)]
    pub note: Option<String>,
    /// The due date after it, when set by hand (`YYYY-MM-DD`).
    #[serde(default)]
    pub due: Option<String>,
}

/// A change a person asks for; [`next_event`] makes it an [`Event`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The new event's id (16 lowercase hex digits, random).
    pub id: String,
    /// The response id.
    pub case: String,
    /// The head the person saw (on a conflict: the one they chose); `None`
    /// for a case without events.
    #[serde(default)]
    pub parent: Option<String>,
    /// When.
    pub at: String,
    /// Who.
    pub who: String,
    /// The new status; `None` keeps it.
    #[serde(default)]
    pub status: Option<Status>,
    /// The new holder; `None` keeps it, `""` leaves the case unheld.
    #[serde(default)]
    pub holder: Option<String>,
    /// A note to add.
    #[serde(default)]
    pub note: Option<String>,
    /// A due date (`YYYY-MM-DD`); `None` keeps it, `""` goes back to the default.
    #[serde(default)]
    pub due: Option<String>,
}

/// A call-back contact the customer gave, by response id (kept only with
/// their consent: one without `consent_at` is never shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallBack {
    /// The response id.
    pub id: String,
    /// The name given.
    pub name: String,
    /// The phone number given.
    pub phone: String,
    /// When the customer consented.
    #[serde(default)]
    pub consent_at: String,
}

/// A note on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// When it was written.
    pub at: String,
    /// Who wrote it.
    pub who: String,
    /// What it says.
    pub text: String,
}

/// One case as the follow-up view shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// The response id.
    pub id: String,
    /// The response's row.
    pub row: u32,
    /// The NPS answer, if given.
    pub score: Option<u8>,
    /// Why the response is flagged, in the language asked for (empty for a
    /// case with events whose response no longer meets any rule).
    pub reasons: Vec<String>,
    /// Where it stands.
    pub status: Status,
    /// The statuses it may be given next (contacted again after contacted):
    /// the choices a page offers.
    pub next: Vec<Status>,
    /// Who holds it.
    pub holder: Option<String>,
    /// The response's date, if known.
    pub opened: Option<String>,
    /// When it is due, if known.
    pub due: Option<String>,
    /// Not closed and past its due date.
    pub overdue: bool,
    /// When it was closed (the closing event's time), if closed.
    pub closed_at: Option<String>,
    /// Every note, in time order.
    pub notes: Vec<Note>,
    /// The event its state comes from (`None` before any change).
    pub head: Option<String>,
    /// Every head when there are several (a conflict), oldest first; else empty.
    pub conflict: Vec<String>,
    /// Every event of the case, in time order.
    pub history: Vec<Event>,
    /// The call-back contact, only where the customer consented.
    pub contact: Option<CallBack>,
}

impl Case {
    /// The latest event, if any.
    pub fn last_change(&self) -> Option<&Event> {
        self.history.last()
    }
}

/// Case figures, in all or for one holder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// The holder (`None`: nobody, or the totals).
    pub holder: Option<String>,
    /// Cases.
    pub opened: u64,
    /// Cases not closed (overdue ones too).
    pub open: u64,
    /// Cases not closed and past their due date.
    pub overdue: u64,
    /// Cases closed.
    pub closed: u64,
    /// % of closed cases with a due date that were closed on or before it.
    pub closed_within_due_pct: Option<f64>,
    /// Median days from opening to closing, over closed cases with an opened date.
    pub median_days_to_close: Option<f64>,
}

/// The follow-up view: the cases, most urgent first, and the figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseList {
    /// How many cases in all.
    pub count: u64,
    /// The first `limit` cases: overdue (earliest due first), then open or
    /// contacted (by due date, unknown last), then closed (latest first).
    pub cases: Vec<Case>,
    /// Figures over every case.
    pub figures: Figures,
    /// Per holder, by name (unheld cases last, `holder` null).
    pub by_holder: Vec<Figures>,
    /// Response ids of cases in conflict.
    pub conflicts: Vec<String>,
}

/// The result of merging two devices' events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// Every event of both (this device's first, in their order).
    pub events: Vec<Event>,
    /// Theirs that this device lacked, in their order: what it stores.
    pub new: Vec<Event>,
    /// How many of theirs were new here (`new`'s length).
    pub added: u64,
    /// Response ids of cases with several heads after the merge.
    pub conflicts: Vec<String>,
}

fn request(code: ProblemCode, field: &str, value: &str, message: impl Into<String>) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(code, message)
            .in_field(field)
            .with_value(value),
    )
}

// ---- dates ---------------------------------------------------------------

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the first ten characters
/// of `text`), or `None` if it is not a real date.
pub fn day_number(text: &str) -> Option<i64> {
    date::parse_prefix(text).map(Day::days)
}

/// The `YYYY-MM-DD` date of a day number.
pub fn date_text(days: i64) -> String {
    Day::from_days(days).to_string()
}

/// The date `n` working days (Monday to Friday) after `date`.
///
/// ```
/// // Friday 2026-12-04 + 2 working days = Tuesday 2026-12-08.
/// assert_eq!(manyi::cases::add_working_days("2026-12-04", 2).as_deref(), Some("2026-12-08"));
/// ```
pub fn add_working_days(date: &str, n: u8) -> Option<String> {
    day_number(date).map(|day| date_text(working_days_after(day, n)))
}

/// The day number `n` working days (Monday to Friday) after day `day`.
fn working_days_after(mut day: i64, n: u8) -> i64 {
    let mut left = n;
    while left > 0 {
        day += 1;
        if Day::from_days(day).weekday() < 5 {
            left -= 1;
        }
    }
    day
}

// ---- state -----------------------------------------------------------------

/// A case's events, grouped.
struct Log<'a> {
    by_case: HashMap<&'a str, Vec<&'a Event>>,
    by_id: HashMap<&'a str, &'a Event>,
}

impl<'a> Log<'a> {
    fn new(events: &'a [Event]) -> Self {
        let mut by_case: HashMap<&str, Vec<&Event>> = HashMap::new();
        let mut by_id = HashMap::with_capacity(events.len());
        for e in events {
            by_case.entry(e.case.as_str()).or_default().push(e);
            by_id.insert(e.id.as_str(), e);
        }
        for list in by_case.values_mut() {
            list.sort_by(|a, b| (&a.at, &a.id).cmp(&(&b.at, &b.id)));
        }
        Log { by_case, by_id }
    }

    /// The heads of a case, oldest first.
    fn heads(&self, case: &str) -> Vec<&'a Event> {
        let Some(list) = self.by_case.get(case) else {
            return Vec::new();
        };
        let named: BTreeSet<&str> = list
            .iter()
            .flat_map(|e| e.parent.iter().chain(&e.merged))
            .map(String::as_str)
            .collect();
        list.iter()
            .copied()
            .filter(|e| !named.contains(e.id.as_str()))
            .collect()
    }

    /// When the case whose head is `head` was closed: the time of the
    /// earliest event of the unbroken run of closed states ending at it.
    fn closed_at(&self, head: &'a Event) -> Option<&'a str> {
        if !head.status.closed() {
            return None;
        }
        let mut first = head;
        let mut steps = 0;
        while let Some(parent) = first.parent.as_deref().and_then(|p| self.by_id.get(p)) {
            steps += 1;
            if !parent.status.closed() || steps > self.by_id.len() {
                break;
            }
            first = parent;
        }
        Some(first.at.as_str())
    }
}

/// The cases of `responses` (see the module docs), the first `limit` of
/// them listed, with the figures over all. `events` are this device's case
/// events (of any questionnaire: those naming other responses are left
/// aside), `contacts` the call-back contacts given, `today` the date
/// (`YYYY-MM-DD`) overdue is judged on.
///
/// Every flagged response is ordered and counted, but only the cases listed
/// are written out (reasons, history, notes): at a million responses the
/// third that are detractors made ~185 MB of cases, and seconds of work, to
/// show 200 of them.
pub fn cases(
    instrument: &Instrument,
    responses: &Responses,
    events: &[Event],
    contacts: &[CallBack],
    today: &str,
    lang: Lang,
    limit: usize,
) -> Result<CaseList> {
    let log = Log::new(events);
    let all = entries(instrument, responses, &log, today)?;
    let totals = figures(None, all.iter());
    let mut holders: BTreeMap<Option<&str>, Vec<&Entry>> = BTreeMap::new();
    for e in &all {
        holders.entry(e.holder()).or_default().push(e);
    }
    let mut by_holder: Vec<Figures> = holders
        .iter()
        .filter(|(h, _)| h.is_some())
        .map(|(h, list)| figures(h.map(str::to_owned), list.iter().copied()))
        .collect();
    if let Some(list) = holders.get(&None) {
        by_holder.push(figures(None, list.iter().copied()));
    }
    let conflicts = all
        .iter()
        .filter(|e| e.heads.len() > 1)
        .map(|e| e.follow.id.clone())
        .collect();
    let count = all.len() as u64;
    let contacts = consented(contacts);
    let cases = all
        .into_iter()
        .take(limit)
        .map(|e| case_of(e, instrument, &log, &contacts, lang))
        .collect();
    Ok(CaseList {
        count,
        cases,
        figures: totals,
        by_holder,
        conflicts,
    })
}

/// Every case, most urgent first, written out.
fn all_cases(
    instrument: &Instrument,
    responses: &Responses,
    events: &[Event],
    contacts: &[CallBack],
    today: &str,
    lang: Lang,
) -> Result<Vec<Case>> {
    let log = Log::new(events);
    let contacts = consented(contacts);
    Ok(entries(instrument, responses, &log, today)?
        .into_iter()
        .map(|e| case_of(e, instrument, &log, &contacts, lang))
        .collect())
}

/// The call-back contacts given with consent, by response id.
fn consented(contacts: &[CallBack]) -> HashMap<&str, &CallBack> {
    contacts
        .iter()
        .filter(|c| !c.consent_at.trim().is_empty())
        .map(|c| (c.id.as_str(), c))
        .collect()
}

/// When a case is due: the date its last event set, or its response's date
/// plus the working days the instrument allows (a day number, written out
/// only for a case listed).
#[derive(Debug, Clone, Copy)]
enum Due<'a> {
    Given(&'a str),
    Made(i64),
}

impl Due<'_> {
    fn day(self) -> Option<i64> {
        match self {
            Due::Given(d) => day_number(d),
            Due::Made(d) => Some(d),
        }
    }

    fn text(self) -> String {
        match self {
            Due::Given(d) => d.to_owned(),
            Due::Made(d) => date_text(d),
        }
    }

    /// Ordered as their texts (made ones are `YYYY-MM-DD`, in day order).
    fn cmp_text(self, other: Due) -> std::cmp::Ordering {
        match (self, other) {
            (Due::Made(a), Due::Made(b)) => a.cmp(&b),
            (Due::Given(a), Due::Given(b)) => a.cmp(b),
            (a, b) => a.text().cmp(&b.text()),
        }
    }
}

/// A flagged response's case, as far as ordering and counting need: what
/// its events say, borrowed, nothing written out.
struct Entry<'a> {
    follow: FollowUp,
    /// Its heads, oldest first (several: a conflict; none: no event yet).
    heads: Vec<&'a Event>,
    /// The response's date, if it is a date, and its day number.
    opened: Option<&'a str>,
    opened_day: Option<i64>,
    due: Option<Due<'a>>,
    status: Status,
    overdue: bool,
    closed_at: Option<&'a str>,
}

impl<'a> Entry<'a> {
    /// The event its state comes from.
    fn head(&self) -> Option<&'a Event> {
        self.heads.last().copied()
    }

    fn holder(&self) -> Option<&'a str> {
        self.head().and_then(|h| h.holder.as_deref())
    }

    /// Overdue first, then open or contacted, then closed.
    fn group(&self) -> u8 {
        match (self.overdue, self.status.closed()) {
            (true, _) => 0,
            (false, false) => 1,
            (false, true) => 2,
        }
    }
}

/// Every flagged response (and every response with events that no rule
/// flags any more) as an [`Entry`], most urgent first.
fn entries<'a>(
    instrument: &Instrument,
    responses: &'a Responses,
    log: &Log<'a>,
    today: &str,
) -> Result<Vec<Entry<'a>>> {
    let today_n = day_number(today)
        .filter(|_| today.len() == 10)
        .ok_or_else(|| {
            request(
                ProblemCode::Invalid,
                "today",
                today,
                "today's date is written YYYY-MM-DD",
            )
        })?;
    let mut listed: Vec<FollowUp> = followup::follow_up(instrument, responses)?;
    // Responses with events that no rule flags (any more) keep their case
    // (the listed rows are in row order: found by halving).
    let flagged = listed.len();
    let nps = instrument.nps();
    for (r, id) in responses.ids().iter().enumerate() {
        if log.by_case.contains_key(id)
            && listed[..flagged]
                .binary_search_by_key(&(r as u32), |f| f.row)
                .is_err()
        {
            let score = nps
                .map(|q| responses.column(q)[r])
                .filter(|&c| c != crate::MISSING);
            listed.push(FollowUp {
                row: r as u32,
                id: id.to_owned(),
                score,
                detractor: false,
                flags: Vec::new(),
            });
        }
    }
    let dates = filter::dates(responses);
    let days = instrument.follow_up_due_days();
    let mut out: Vec<Entry> = listed
        .into_iter()
        .map(|follow| {
            let r = follow.row as usize;
            let heads = log.heads(&follow.id);
            let head = heads.last().copied();
            let (opened, opened_day) = dates
                .as_ref()
                .and_then(|d| d(r))
                .and_then(|d| Some((d, day_number(d)?)))
                .unzip();
            let due = match head.and_then(|h| h.due.as_deref()) {
                Some(d) => Some(Due::Given(d)),
                None => opened_day.map(|o| Due::Made(working_days_after(o, days))),
            };
            let status = head.map_or(START, |h| h.status);
            let overdue = !status.closed() && due.and_then(Due::day).is_some_and(|d| today_n > d);
            Entry {
                follow,
                closed_at: head.and_then(|h| log.closed_at(h)),
                heads,
                opened,
                opened_day,
                due,
                status,
                overdue,
            }
        })
        .collect();
    // Rows are distinct, so the order is total and an unstable sort gives
    // the one order there is (without the stable sort's buffer).
    out.sort_unstable_by(|a, b| {
        a.group()
            .cmp(&b.group())
            .then_with(|| {
                if a.group() == 2 {
                    b.closed_at.cmp(&a.closed_at)
                } else {
                    // Known due dates first, earliest first.
                    match (a.due, b.due) {
                        (Some(x), Some(y)) => x.cmp_text(y),
                        (x, y) => x.is_none().cmp(&y.is_none()),
                    }
                }
            })
            .then(a.follow.row.cmp(&b.follow.row))
    });
    Ok(out)
}

/// An entry's case written out: its reasons in `lang`, the statuses it may
/// be given next, its history, notes and call-back contact.
fn case_of(
    e: Entry,
    instrument: &Instrument,
    log: &Log,
    contacts: &HashMap<&str, &CallBack>,
    lang: Lang,
) -> Case {
    let head = e.head();
    let holder = e.holder().map(str::to_owned);
    let history: Vec<Event> = log
        .by_case
        .get(e.follow.id.as_str())
        .map(|l| l.iter().map(|ev| (*ev).clone()).collect())
        .unwrap_or_default();
    let notes = history
        .iter()
        .filter_map(|ev| {
            ev.note.as_ref().map(|n| Note {
                at: ev.at.clone(),
                who: ev.who.clone(),
                text: n.clone(),
            })
        })
        .collect();
    let status = e.status;
    Case {
        reasons: followup::reasons(instrument, &e.follow, lang),
        contact: contacts.get(e.follow.id.as_str()).map(|c| (*c).clone()),
        id: e.follow.id,
        row: e.follow.row,
        score: e.follow.score,
        status,
        next: Status::ALL
            .into_iter()
            .filter(|&s| status.may_become(s) && (s != status || s == Status::Contacted))
            .collect(),
        holder,
        opened: e.opened.map(str::to_owned),
        due: e.due.map(Due::text),
        overdue: e.overdue,
        closed_at: e.closed_at.map(str::to_owned),
        notes,
        head: head.map(|h| h.id.clone()),
        conflict: if e.heads.len() > 1 {
            e.heads.iter().map(|h| h.id.clone()).collect()
        } else {
            Vec::new()
        },
        history,
    }
}

/// The figures over `cases`.
fn figures<'c, 'a: 'c>(
    holder: Option<String>,
    cases: impl Iterator<Item = &'c Entry<'a>>,
) -> Figures {
    let mut f = Figures {
        holder,
        opened: 0,
        open: 0,
        overdue: 0,
        closed: 0,
        closed_within_due_pct: None,
        median_days_to_close: None,
    };
    let (mut with_due, mut within) = (0u64, 0u64);
    let mut days: Vec<i64> = Vec::new();
    for c in cases {
        f.opened += 1;
        f.overdue += u64::from(c.overdue);
        let Some(closed) = c.closed_at.and_then(day_number) else {
            f.open += 1;
            continue;
        };
        f.closed += 1;
        if let Some(due) = c.due.and_then(Due::day) {
            with_due += 1;
            within += u64::from(closed <= due);
        }
        if let Some(opened) = c.opened_day {
            days.push(closed - opened);
        }
    }
    if with_due > 0 {
        f.closed_within_due_pct = Some(within as f64 * 100.0 / with_due as f64);
    }
    if !days.is_empty() {
        days.sort_unstable();
        let n = days.len();
        f.median_days_to_close = Some(if n % 2 == 1 {
            days[n / 2] as f64
        } else {
            (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0
        });
    }
    f
}

/// The cases as a CSV for people: `id, score, reasons, status, holder,
/// opened, due, overdue, closed_at, last_change_at, last_change_by, notes`
/// (statuses, reasons and yes/no in `lang`; notes as "time who: text" joined
/// with " | "), then `contact_name, contact_phone, contact_consent_at` only
/// when `with_contacts` (a person's choice, as for the other exports). Every
/// case, most urgent first; text cells neutralised against formulas.
#[allow(clippy::too_many_arguments)]
pub fn cases_csv(
    instrument: &Instrument,
    responses: &Responses,
    events: &[Event],
    contacts: &[CallBack],
    today: &str,
    lang: Lang,
    bom: bool,
    with_contacts: bool,
) -> Result<Vec<u8>> {
    let all = all_cases(instrument, responses, events, contacts, today, lang)?;
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut header = vec![
        "id",
        "score",
        "reasons",
        "status",
        "holder",
        "opened",
        "due",
        "overdue",
        "closed_at",
        "last_change_at",
        "last_change_by",
        "notes",
    ];
    if with_contacts {
        header.extend(crate::store::CONTACT_COLUMNS);
    }
    write_cells(&mut out, header.into_iter().map(Cell::Text));
    let (yes, no) = match lang {
        Lang::En => ("yes", "no"),
        Lang::ZhCn => ("是", "否"),
    };
    for c in &all {
        let score = c.score.map(|s| s.to_string()).unwrap_or_default();
        let reasons = followup::join_reasons(&c.reasons, lang);
        let notes = c
            .notes
            .iter()
            .map(|n| format!("{} {}: {}", n.at, n.who, n.text))
            .collect::<Vec<_>>()
            .join(" | ");
        let last = c.last_change();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut cells = vec![
            c.id.clone(),
            score,
            reasons,
            c.status.label(lang).to_owned(),
            opt(&c.holder),
            opt(&c.opened),
            opt(&c.due),
            (if c.overdue { yes } else { no }).to_owned(),
            opt(&c.closed_at),
            last.map(|e| e.at.clone()).unwrap_or_default(),
            last.map(|e| e.who.clone()).unwrap_or_default(),
            notes,
        ];
        if with_contacts {
            let contact = c.contact.as_ref();
            cells.push(contact.map(|k| k.name.clone()).unwrap_or_default());
            cells.push(contact.map(|k| k.phone.clone()).unwrap_or_default());
            cells.push(contact.map(|k| k.consent_at.clone()).unwrap_or_default());
        }
        write_cells(
            &mut out,
            cells.iter().enumerate().map(|(i, v)| {
                if i == 1 {
                    Cell::Number(v)
                } else {
                    Cell::Text(v)
                }
            }),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_skip_weekends() {
        for d in ["1970-01-01", "2000-02-29", "2026-12-31", "2024-03-01"] {
            assert_eq!(date_text(day_number(d).unwrap()), d);
        }
        assert_eq!(day_number("1970-01-02"), Some(1));
        assert_eq!(day_number("2023-02-29"), None);
        assert_eq!(day_number("2023-13-01"), None);
        // Thursday + 2 = Monday; Saturday + 1 = Monday.
        assert_eq!(
            add_working_days("2026-12-03", 2).as_deref(),
            Some("2026-12-07")
        );
        assert_eq!(
            add_working_days("2026-12-05", 1).as_deref(),
            Some("2026-12-07")
        );
        assert_eq!(
            add_working_days("2026-12-07", 0).as_deref(),
            Some("2026-12-07")
        );
    }

    #[test]
    fn transitions() {
        use Status::*;
        assert!(Open.may_become(Resolved));
        assert!(Contacted.may_become(Contacted));
        assert!(!Contacted.may_become(Open));
        assert!(Resolved.may_become(Open));
        assert!(!Resolved.may_become(Contacted));
        assert!(!Declined.may_become(Unreachable));
    }
}
