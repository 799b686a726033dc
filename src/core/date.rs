//! Calendar days: the one place manyi reads, counts and writes dates.
//!
//! - **A day** is a date of the proleptic Gregorian calendar, years 1–9999,
//!   with no time zone: the date as written is the date meant (a branch's day
//!   is the day its customer saw).
//! - **Strict reading** ([`parse`]): `YYYY-MM-DD`, a real day, alone or
//!   followed by `T` and anything (a time, an offset), after trimming spaces.
//!   Other layouts (`2023/05/01`, `2023-05-01 10:00`), impossible days
//!   (`2023-02-30`) and text are not dates. Trends read dates this way.
//! - **Reading the first ten characters** ([`parse_prefix`]): the date part of
//!   a timestamp whatever follows it, as the date filter and the follow-up
//!   cases' times do; the ten characters must still be a real day.
//! - **Counting** uses days since 1970-01-01 ([`Day::days`],
//!   [`Day::from_days`], by Howard Hinnant's `days_from_civil` and
//!   `civil_from_days`); 1970-01-01 was a Thursday.

use std::fmt;

/// A day of the (proleptic) Gregorian calendar, year 1–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// The year, 1–9999.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month, 1–31.
    pub day: u8,
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads a date strictly (see the module documentation).
///
/// ```
/// use manyi::date::{parse, Day};
/// assert_eq!(
///     parse("2024-03-01T02:00:00+08:00"),
///     Some(Day { year: 2024, month: 3, day: 1 })
/// );
/// assert_eq!(parse("2023-02-30"), None);
/// assert_eq!(parse("2023/05/01"), None);
/// assert_eq!(parse("2023-05-01 10:00"), None);
/// ```
pub fn parse(value: &str) -> Option<Day> {
    let b = value.trim().as_bytes();
    if b.len() < 10 || (b.len() > 10 && b[10] != b'T') {
        return None;
    }
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(number(0..4)?).ok()?;
    let month = u8::try_from(number(5..7)?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    let valid =
        year >= 1 && (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
    valid.then_some(Day { year, month, day })
}

/// The date in the first ten characters of `text`, whatever follows them.
///
/// ```
/// use manyi::date::parse_prefix;
/// assert_eq!(parse_prefix("2023-05-01 10:00").map(|d| d.to_string()).as_deref(), Some("2023-05-01"));
/// assert_eq!(parse_prefix("2023-02-30"), None);
/// ```
pub fn parse_prefix(text: &str) -> Option<Day> {
    parse(text.get(..10)?)
}

impl Day {
    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (i64::from(self.month) + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` after 1970-01-01 (any i64 that lands in years 1–9999;
    /// outside them the year is clamped, which no caller reaches).
    pub fn from_days(days: i64) -> Day {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Day {
            year: year.clamp(1, 9999) as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// 0 on Mondays … 6 on Sundays.
    pub fn weekday(self) -> u8 {
        (self.days() + 3).rem_euclid(7) as u8
    }

    /// The ISO 8601 week: (week-numbering year, week 1–53). Week 1 is the week
    /// (Monday to Sunday) holding the year's first Thursday, so a week belongs
    /// to the year of its Thursday.
    ///
    /// ```
    /// use manyi::date::parse;
    /// let week = |s| parse(s).map(|d| d.iso_week());
    /// assert_eq!(week("2023-01-01"), Some((2022, 52)));
    /// assert_eq!(week("2024-12-30"), Some((2025, 1)));
    /// ```
    pub fn iso_week(self) -> (i32, u8) {
        let days = self.days();
        let thursday = days - i64::from(self.weekday()) + 3;
        let first = |year: i32| {
            Day {
                year,
                month: 1,
                day: 1,
            }
            .days()
        };
        let year = if thursday < first(self.year) {
            self.year - 1
        } else if thursday >= first(self.year + 1) {
            self.year + 1
        } else {
            self.year
        };
        let week = (thursday - first(year)) / 7 + 1;
        (year, week as u8)
    }
}

/// `YYYY-MM-DD`.
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_four_centuries() {
        // 1900-03-01 … 2300-02-28: leap centuries and not.
        let start = parse("1900-03-01").unwrap().days();
        let mut prev = Day::from_days(start - 1);
        for n in start..start + 146_097 {
            let d = Day::from_days(n);
            assert_eq!(d.days(), n);
            assert_eq!(parse(&d.to_string()), Some(d));
            assert!(d > prev);
            prev = d;
        }
        assert_eq!(parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(parse("2000-02-29").unwrap().days(), 11_016);
        assert_eq!(parse("1900-02-29"), None);
    }

    #[test]
    fn weekdays() {
        // 2026-12-03 is a Thursday, 1970-01-01 too. (ISO weeks: trend.rs's tests.)
        assert_eq!(parse("2026-12-03").unwrap().weekday(), 3);
        assert_eq!(parse("1970-01-01").unwrap().weekday(), 3);
        assert_eq!(parse("2026-12-07").unwrap().weekday(), 0);
    }
}
