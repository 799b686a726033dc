#![cfg(not(target_arch = "wasm32"))]
//! A filtered [`View`] counts the kept rows in place (src/core/view.rs): each of
//! its figures must equal the same call on a copy of the kept rows
//! (`Filter::select` then `Responses::select`, the path it replaces), on
//! random data and random filters of answers, the `mode` column and dates.

use manyi::filter::Filter;
use manyi::trend::Period;
use manyi::view::View;
use manyi::{crosstab, followup, report, scoring, trend, Instrument, Responses};
use proptest::prelude::*;

fn data(rows: usize, seed: u64) -> (Instrument, Responses) {
    let inst = Instrument::builtin();
    let data = manyi::generate::generate(&inst, rows, seed).expect("generate");
    (inst, data)
}

/// A filter on question `q` keeping the options picked by `kept`, perhaps
/// on `mode`, perhaps on a date range.
fn filter_of(inst: &Instrument, q: usize, kept: &[bool], mode: bool, dates: bool) -> Filter {
    let question = &inst.questions()[q];
    let answers: Vec<String> = (0..question.len())
        .filter(|&c| kept[c % kept.len()])
        .map(|c| question.code_text(c as u8))
        .collect();
    let mut f = Filter::default();
    if !answers.is_empty() {
        f.answers.insert(question.id.clone(), answers);
    }
    if mode {
        f.columns.insert("mode".into(), vec!["paper".into()]);
    }
    if dates {
        f.from = Some("2023-03-01".into());
        f.to = Some("2023-08-31".into());
    }
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_view_counts_as_a_copy_of_the_kept_rows(
        rows in prop_oneof![0usize..30, 1000usize..6000],
        seed in any::<u64>(),
        q in 0usize..16,
        by in 0usize..16,
        kept in prop::collection::vec(any::<bool>(), 1..9),
        mode in any::<bool>(),
        dates in any::<bool>(),
    ) {
        let (inst, all) = data(rows, seed);
        let filter = filter_of(&inst, q, &kept, mode, dates);
        let copy = all.select(&filter.select(&inst, &all).expect("select").rows).expect("rows");
        let view = View::new(all).filtered(&inst, &filter).expect("view");
        prop_assert_eq!(view.len(), copy.len());
        prop_assert_eq!(view.report(&inst).expect("report"), report::report(&inst, &copy).expect("report"));
        let (row, col) = (&inst.questions()[by].id, &inst.questions()[q].id);
        prop_assert_eq!(
            view.crosstab(&inst, row, col).expect("crosstab"),
            crosstab::crosstab(&inst, &copy, row, col).expect("crosstab")
        );
        for segment in [row.as_str(), "mode"] {
            prop_assert_eq!(
                view.nps_by(&inst, segment).expect("nps by"),
                scoring::nps_by(&inst, &copy, segment).expect("nps by")
            );
        }
        prop_assert_eq!(
            view.trend(&inst, None, Period::Month).expect("trend"),
            trend::trend(&inst, &copy, None, Period::Month).expect("trend")
        );
        let list = view.follow_up_list(&inst, 40).expect("list");
        prop_assert_eq!(&list, &followup::follow_up_list(&inst, &copy, 40).expect("list"));
        // Rows are numbered within the view, as in the copy.
        let picked: Vec<u32> = list.items.iter().map(|f| f.row).collect();
        prop_assert_eq!(view.rows(&picked).expect("rows"), copy.select(&picked).expect("rows"));
        prop_assert_eq!(view.responses(), &copy);
    }
}

#[test]
fn a_view_of_a_view_keeps_what_both_keep() {
    let (inst, all) = data(3000, 7);
    let a = filter_of(&inst, 0, &[true, false], false, false);
    let b = filter_of(&inst, 13, &[true, true, false], true, false);
    let mut both = a.clone();
    both.answers.extend(b.answers.clone());
    both.columns.extend(b.columns.clone());
    let view = View::new(all.clone());
    let twice = view
        .filtered(&inst, &a)
        .and_then(|v| v.filtered(&inst, &b))
        .expect("views");
    let once = view.filtered(&inst, &both).expect("view");
    assert!(twice.len() < view.filtered(&inst, &a).expect("a").len());
    assert_eq!(twice.responses(), once.responses());
    assert_eq!(
        twice.report(&inst).expect("report"),
        once.report(&inst).expect("report")
    );
}

#[test]
fn a_row_past_the_views_end_is_refused_naming_it() {
    let (inst, all) = data(500, 3);
    let view = View::new(all)
        .filtered(&inst, &filter_of(&inst, 0, &[true, false], false, false))
        .expect("view");
    let past = view.len() as u32;
    let err = view.rows(&[0, past]).expect_err("past the end");
    assert!(err.to_string().contains(&past.to_string()), "{err}");
}
