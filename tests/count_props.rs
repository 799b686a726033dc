#![cfg(not(target_arch = "wasm32"))]
//! The counting kernels (src/core/count.rs) against their plain loops on random
//! columns: identical counts, whatever the length (block and lane edges), the
//! share missing (the MISSING code 255) or the number of options (up to the
//! NPS question's 11 and past the kernels' 16-option switch); and the report,
//! cross-tabs and association matrix built on them against the same figures
//! computed from plain counts (statistics equal to 1e-12 relative).

use manyi::count::{
    count_all_pairs, count_codes, count_codes_plain, count_codes_where, count_codes_where_plain,
    count_pairs, count_pairs_plain, count_patterns, count_patterns_plain, histogram,
};
use manyi::crosstab::{association_matrix, crosstab, test_table};
use manyi::filter::Filter;
use manyi::{scoring, Instrument, Responses, MISSING};
use proptest::prelude::*;

/// A column of `len` codes below `k`, about `missing` in 8 of them MISSING.
fn column(max_len: usize, k: usize) -> impl Strategy<Value = Vec<u8>> {
    (0usize..8).prop_flat_map(move |missing| {
        prop::collection::vec((0u8..k as u8, 0usize..8), 0..max_len).prop_map(move |v| {
            v.into_iter()
                .map(|(c, m)| if m < missing { MISSING } else { c })
                .collect()
        })
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// Columns of `len` codes, one per entry of `lens`, each code `code(x, k)`
/// of a xorshift draw `x` and the column's option count `k`.
fn random_columns(
    lens: &[usize],
    len: usize,
    seed: u64,
    code: impl Fn(u64, u64) -> u8,
) -> Vec<Vec<u8>> {
    let mut x = seed | 1;
    lens.iter()
        .map(|&k| {
            (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    code(x, k as u64)
                })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn codes_are_counted_as_the_plain_loop_counts(
        k in 1usize..=20,
        col in (1usize..=20).prop_flat_map(|k| column(9000, k)),
    ) {
        prop_assert_eq!(count_codes(&col, k), count_codes_plain(&col, k));
        // The same over the rows a keep column keeps (0 kept, MISSING dropped),
        // on both sides of the 16-option switch.
        let keep: Vec<u8> = (0..col.len()).map(|i| if (i * 7 + k) % 3 == 0 { MISSING } else { 0 }).collect();
        prop_assert_eq!(
            count_codes_where(&col, k, Some(&keep)),
            count_codes_where_plain(&col, k, Some(&keep))
        );
        let h = histogram(&col);
        prop_assert_eq!(&h[..k], &count_codes_plain(&col, k)[..]);
        prop_assert_eq!(h.iter().sum::<u64>(), col.len() as u64);
    }

    #[test]
    fn pairs_are_counted_as_the_plain_loop_counts(
        (r, c, a, b) in (1usize..=20, 1usize..=20).prop_flat_map(|(r, c)| {
            (Just(r), Just(c), column(9000, r + 1), column(9000, c))
        }),
    ) {
        // r + 1: codes at r (past the last option) must count as missing too.
        prop_assert_eq!(count_pairs(&a, &b, r, c), count_pairs_plain(&a, &b, r, c));
    }

    #[test]
    fn every_pair_is_counted_as_the_plain_loop_counts(
        lens in prop::collection::vec(1usize..=11, 1..5),
        len in 0usize..10_000,
        seed in any::<u64>(),
    ) {
        // Codes below k, one in 9 MISSING.
        let cols = random_columns(&lens, len, seed, |x, k| if x % 9 == 0 { MISSING } else { (x % k) as u8 });
        let refs: Vec<&[u8]> = cols.iter().map(Vec::as_slice).collect();
        let all = count_all_pairs(&refs, &lens);
        for a in 0..lens.len() {
            for b in a..lens.len() {
                prop_assert_eq!(&all[a][b], &count_pairs_plain(&cols[a], &cols[b], lens[a], lens[b]));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // α's answer patterns: up to 255 patterns packed 16 rows at a time, past
    // that one row at a time; the lengths cross the 16-lane and 64 Ki-row
    // block edges, and codes at k (one past the last option) count as missing.
    #[test]
    fn answer_patterns_are_counted_as_the_plain_loop_counts(
        lens in prop::collection::vec(1usize..=7, 1..7),
        len in prop_oneof![0usize..100, 65_500usize..65_600],
        seed in any::<u64>(),
    ) {
        // Codes below k, one in 13 MISSING and one in 13 at k (past the last option).
        let cols = random_columns(&lens, len, seed, |x, k| match x % 13 {
            0 => MISSING,
            1 => k as u8,
            _ => (x % k) as u8,
        });
        let refs: Vec<&[u8]> = cols.iter().map(Vec::as_slice).collect();
        let fast = count_patterns(&refs, &lens);
        prop_assert_eq!(&fast, &count_patterns_plain(&refs, &lens));
        let patterns: usize = lens.iter().product();
        prop_assert_eq!(fast.map(|c| c.len()), (patterns <= 1 << 16).then_some(patterns));
    }
}

/// Random responses to the built-in instrument as CSV rows (blanks included).
fn responses(rows: usize, seed: u64) -> (Instrument, Responses) {
    let inst = Instrument::builtin();
    let data = manyi::generate::generate(&inst, rows, seed).expect("generate");
    (inst, data)
}

#[test]
fn the_report_counts_as_plain_loops_do() {
    for (rows, seed) in [(0, 1), (1, 2), (17, 3), (4097, 4), (20_000, 5)] {
        let (inst, data) = responses(rows, seed);
        let report = manyi::report::report(&inst, &data).expect("report");
        for (q, f) in report.frequencies.questions.iter().enumerate() {
            let plain = count_codes_plain(data.column(q), inst.questions()[q].len());
            assert_eq!(f.counts, plain, "{}", f.question);
            assert_eq!(f.valid + f.missing, rows as u64);
        }
        // The report reuses its tables for NPS, the items and the scale: the
        // same figures as each computed on its own.
        assert_eq!(report.nps, Some(scoring::nps(&inst, &data).expect("nps")));
        assert_eq!(
            report.satisfaction,
            scoring::satisfaction(&inst, &data).expect("items")
        );
        assert_eq!(
            report.scale,
            manyi::scale::scale(&inst, &data).expect("scale")
        );
    }
}

#[test]
fn cross_tabs_and_the_matrix_test_the_plain_counts() {
    let (inst, data) = responses(30_000, 9);
    let ids: Vec<String> = inst.questions().iter().map(|q| q.id.clone()).collect();
    let matrix = association_matrix(&inst, &data, &ids).expect("matrix");
    let k = ids.len();
    for a in 0..k {
        for b in 0..k {
            let (qa, qb) = (&inst.questions()[a], &inst.questions()[b]);
            let flat = count_pairs_plain(data.column(a), data.column(b), qa.len(), qb.len());
            let plain: Vec<Vec<u64>> = flat.chunks(qb.len()).map(<[u64]>::to_vec).collect();
            let full = crosstab(&inst, &data, &qa.id, &qb.id).expect("crosstab");
            assert_eq!(full.counts, plain, "{} × {}", qa.id, qb.id);
            assert_eq!(full.n + full.missing, data.len() as u64);
            let t = test_table(&plain);
            let cell = &matrix[a * k + b];
            assert_eq!(cell.n, full.n);
            for (x, y) in [
                (cell.chi2, t.independence.chi2),
                (cell.p, t.independence.p),
                (cell.cramers_v, t.independence.cramers_v),
            ] {
                match (x, y) {
                    (Some(x), Some(y)) => assert!(close(x, y), "{} × {}: {x} vs {y}", qa.id, qb.id),
                    (x, y) => assert_eq!(x, y),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    // A filter change recounts in place (a keep column OR-ed into the codes):
    // the report equals the report of the kept rows copied out, and the
    // masked count equals its plain loop.
    #[test]
    fn a_report_counted_in_place_equals_the_report_of_the_rows_kept(
        rows in prop_oneof![0usize..40, 4000usize..70_000],
        seed in any::<u64>(),
        q in 0usize..16,
        kept in prop::collection::vec(any::<bool>(), 1..9),
    ) {
        let (inst, data) = responses(rows, seed);
        let question = &inst.questions()[q];
        let answers: Vec<String> = (0..question.len())
            .filter(|&c| kept[c % kept.len()])
            .map(|c| question.code_text(c as u8))
            .collect();
        prop_assume!(!answers.is_empty());
        let filter = Filter {
            answers: [(question.id.clone(), answers)].into_iter().collect(),
            ..Filter::default()
        };
        let (keep, _) = filter.keep(&inst, &data).expect("keep");
        let copied = data.select(&filter.select(&inst, &data).expect("select").rows).expect("rows");
        prop_assert_eq!(keep.kept(), copied.len() as u64);
        let in_place = manyi::report::report_where(&inst, &data, Some(&keep)).expect("in place");
        prop_assert_eq!(in_place, manyi::report::report(&inst, &copied).expect("report"));
        for c in 0..inst.questions().len() {
            let k = inst.questions()[c].len();
            prop_assert_eq!(
                count_codes_where(data.column(c), k, Some(keep.column())),
                count_codes_where_plain(data.column(c), k, Some(keep.column()))
            );
        }
    }
}
