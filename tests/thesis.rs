//! Reproduces, from the demo data set and through the library API, every figure
//! that the thesis printed and the reference values of the statistics spec.
//!
//! Sources of the reference values (each value below names its own):
//! - "thesis table 3.x" / "thesis text": the table "What the thesis published"
//!   at the end of `docs/questionnaire.md` (n = 366, percentages are
//!   count / 366 as the thesis prints them);
//! - "statistics.md §N": `docs/statistics.md`;
//! - "data README": the counts table of `docs/data.md`, for the counts
//!   the thesis did not publish.
//!
//! The data set is the repository's copy, `www/demo/zg-x-branch-2023.csv`.

use manyi::scoring::{self, Frequency};
use manyi::{Instrument, Responses};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/zg-x-branch-2023.csv");

struct Data {
    inst: Instrument,
    responses: Responses,
    freq: scoring::Frequencies,
}

fn data() -> Data {
    let inst = Instrument::builtin();
    let bytes = std::fs::read(DEMO).unwrap_or_else(|e| panic!("read {DEMO}: {e}"));
    let responses = Responses::from_csv(&inst, &bytes).expect("the demo file imports");
    let freq = scoring::frequencies(&inst, &responses).expect("frequencies");
    Data {
        inst,
        responses,
        freq,
    }
}

impl Data {
    fn q(&self, id: &str) -> &Frequency {
        self.freq
            .questions
            .iter()
            .find(|f| f.question == id)
            .unwrap_or_else(|| panic!("no frequency table for {id}"))
    }

    fn counts(&self, id: &str) -> Vec<u64> {
        self.q(id).counts.clone()
    }

    /// The percentage of option `letter` (A = 0) of question `id`.
    fn pct(&self, id: &str, letter: char) -> f64 {
        let f = self.q(id);
        let i = f
            .codes
            .iter()
            .position(|c| c == &letter.to_string())
            .unwrap_or_else(|| panic!("{id} has no option {letter}"));
        f.percent(i).expect("someone answered")
    }

    /// Every percentage of question `id`, to two decimals as the thesis prints them.
    fn pcts2(&self, id: &str) -> Vec<String> {
        let f = self.q(id);
        (0..f.counts.len())
            .map(|i| format!("{:.2}", f.percent(i).expect("someone answered")))
            .collect()
    }
}

fn close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: {actual} is not within {tol} of {expected}"
    );
}

#[test]
fn sample_size() {
    let d = data();
    // questionnaire.md: "n = 366 valid responses"; 400 handed out, 382 returned, 366 valid.
    assert_eq!(d.responses.len(), 366);
    assert_eq!(d.freq.n, 366);
    // data README / statistics.md: nothing is missing in the data set, so every
    // percentage of valid answers is a percentage of 366, as the thesis prints it.
    for f in &d.freq.questions {
        assert_eq!((f.valid, f.missing), (366, 0), "{}", f.question);
    }
}

#[test]
fn q1_gender_table_3_5() {
    let d = data();
    // thesis table 3.5: 177, 189 (48.36%, 51.64%)
    assert_eq!(d.counts("q1"), [177, 189]);
    assert_eq!(d.pcts2("q1"), ["48.36", "51.64"]);
}

#[test]
fn q2_age_table_3_6() {
    let d = data();
    // thesis table 3.6: 48, 62, 77, 124, 55 (13.11%, 16.94%, 21.04%, 33.88%, 15.03%)
    assert_eq!(d.counts("q2"), [48, 62, 77, 124, 55]);
    assert_eq!(d.pcts2("q2"), ["13.11", "16.94", "21.04", "33.88", "15.03"]);
}

#[test]
fn q3_education_text() {
    let d = data();
    let c = d.counts("q3");
    // thesis text: B 24.32% (89 people), D 49.7% (182 people, printed to one decimal)
    assert_eq!((c[1], c[3]), (89, 182));
    assert_eq!(format!("{:.2}", d.pct("q3", 'B')), "24.32");
    assert_eq!(format!("{:.1}", d.pct("q3", 'D')), "49.7");
}

#[test]
fn q4_occupation_table_3_7() {
    let d = data();
    // thesis table 3.7: 39, 127, 52, 39, 17, 43, 14, 35
    assert_eq!(d.counts("q4"), [39, 127, 52, 39, 17, 43, 14, 35]);
}

#[test]
fn q6_channel_text() {
    let d = data();
    // thesis text: A 15.03%, B 37.16%, C 14.21%
    assert_eq!(format!("{:.2}", d.pct("q6", 'A')), "15.03");
    assert_eq!(format!("{:.2}", d.pct("q6", 'B')), "37.16");
    assert_eq!(format!("{:.2}", d.pct("q6", 'C')), "14.21");
    // thesis text: D+G ("网络及其他", online and other) 11.20%, which is 41 / 366
    // (the thesis printed one category; the instrument splits it into D and G).
    let c = d.counts("q6");
    assert_eq!(c[3] + c[6], 41);
    assert_eq!(
        format!("{:.2}", d.pct("q6", 'D') + d.pct("q6", 'G')),
        "11.20"
    );
}

#[test]
fn q7_decisive_factor_text() {
    let d = data();
    // thesis text: A 37.16%, B 23.5% (one decimal), C 11.48%, D 8.47%, E 19 people (5.19%)
    assert_eq!(format!("{:.2}", d.pct("q7", 'A')), "37.16");
    assert_eq!(format!("{:.1}", d.pct("q7", 'B')), "23.5");
    assert_eq!(format!("{:.2}", d.pct("q7", 'C')), "11.48");
    assert_eq!(format!("{:.2}", d.pct("q7", 'D')), "8.47");
    assert_eq!(d.counts("q7")[4], 19);
    assert_eq!(format!("{:.2}", d.pct("q7", 'E')), "5.19");
}

#[test]
fn q8_holdings_table_3_8() {
    let d = data();
    // thesis table 3.8: 20, 130, 73, 91, 35, 11, 6
    assert_eq!(d.counts("q8"), [20, 130, 73, 91, 35, 11, 6]);
}

#[test]
fn q9_events_table_3_9() {
    let d = data();
    // thesis table 3.9: 51, 95, 129, 62, 29
    assert_eq!(d.counts("q9"), [51, 95, 129, 62, 29]);
}

#[test]
fn q10_relationship_manager_text() {
    let d = data();
    // thesis text: A 12.02%, B 34.97%, C 53.01% (44, 128, 194)
    assert_eq!(d.counts("q10"), [44, 128, 194]);
    assert_eq!(d.pcts2("q10"), ["12.02", "34.97", "53.01"]);
}

#[test]
fn q11_contact_table_3_10() {
    let d = data();
    // thesis table 3.10: 11, 77, 112, 166
    assert_eq!(d.counts("q11"), [11, 77, 112, 166]);
}

#[test]
fn q12_to_q16_satisfaction_table_3_11() {
    let d = data();
    // thesis table 3.11: Q12 attitude 76, 158, 132
    assert_eq!(d.counts("q12"), [76, 158, 132]);
    // thesis table 3.11: Q14 mobile banking 104, 187, 75
    assert_eq!(d.counts("q14"), [104, 187, 75]);
    // thesis table 3.11: Q15 efficiency 52, 107, 207
    assert_eq!(d.counts("q15"), [52, 107, 207]);
    // thesis table 3.11: Q16 competence 89, 203, 74
    assert_eq!(d.counts("q16"), [89, 203, 74]);
    // statistics.md §6 "Sums ≠ 100": Q12 as count/366 to 2 dp (the thesis's
    // convention) is 20.77 + 43.17 + 36.07 = 100.01, true rounding kept.
    assert_eq!(d.pcts2("q12"), ["20.77", "43.17", "36.07"]);
}

#[test]
fn q17_nps_figure_3_8() {
    let d = data();
    let n = scoring::nps(&d.inst, &d.responses).expect("nps");
    assert_eq!(n.question, "q17");
    assert_eq!((n.n, n.missing), (366, 0));
    // thesis fig. 3.8: promoters 125, passives 104, detractors 137
    assert_eq!((n.promoters, n.passives, n.detractors), (125, 104, 137));
    // thesis fig. 3.8: 34.15%, 28.42%, 37.43%
    let p = |x: Option<f64>| format!("{:.2}", x.expect("n > 0"));
    assert_eq!(p(n.pct_promoters), "34.15");
    assert_eq!(p(n.pct_passives), "28.42");
    assert_eq!(p(n.pct_detractors), "37.43");
    // thesis fig. 3.8: NPS = −3.28
    let nps = n.nps.expect("n > 0");
    assert_eq!(format!("{nps:.2}"), "-3.28");
    // statistics.md §1: "thesis −3.28 = −3.2786885", i.e. 100·(125 − 137)/366,
    // computed from counts (rounding percentages first would give −3).
    close(nps, -3.2786885, 1e-6, "NPS");
    close(
        nps,
        100.0 * (125.0 - 137.0) / 366.0,
        1e-12,
        "NPS from counts",
    );
    // statistics.md §1 "Thesis extras": mean LTR 7.01912568
    close(n.mean.expect("mean"), 7.01912568, 1e-6, "mean LTR");
}

#[test]
fn satisfaction_indices_statistics_4() {
    let d = data();
    let items = scoring::satisfaction(&d.inst, &d.responses).expect("satisfaction");
    // statistics.md §4: item, top %, bottom %, net, mean, index
    #[rustfmt::skip]
    let reference: [(&str, f64, f64, f64, f64, f64); 5] = [
        ("q12", 20.7650273, 36.0655738, -15.3005464, 1.84699454, 42.3497268),
        ("q13", 19.3989071, 34.4262295, -15.0273224, 1.84972678, 42.4863388),
        ("q14", 28.4153005, 20.4918033, 7.92349727, 2.07923497, 53.9617486),
        ("q15", 14.2076503, 56.5573770, -42.3497268, 1.57650273, 28.8251366),
        ("q16", 24.3169399, 20.2185792, 4.09836066, 2.04098361, 52.0491803),
    ];
    assert_eq!(items.len(), reference.len());
    for (item, (id, top, bottom, net, mean, index)) in items.iter().zip(reference) {
        assert_eq!(item.question, id);
        assert_eq!((item.n, item.missing), (366, 0), "{id}");
        let pt = item.pct_top.expect("top");
        let pb = item.pct_bottom.expect("bottom");
        close(pt, top, 1e-6, &format!("{id} top %"));
        close(pb, bottom, 1e-6, &format!("{id} bottom %"));
        close(pt - pb, net, 1e-6, &format!("{id} net"));
        close(item.mean.expect("mean"), mean, 1e-6, &format!("{id} mean"));
        close(
            item.index.expect("index"),
            index,
            1e-6,
            &format!("{id} index"),
        );
    }
    // Top and bottom box counts are the A and C counts of thesis table 3.11
    // (Q13: data README, "chosen").
    let boxes: Vec<(u64, u64)> = items.iter().map(|i| (i.top, i.bottom)).collect();
    assert_eq!(
        boxes,
        [(76, 132), (71, 126), (104, 75), (52, 207), (89, 74)]
    );
    // statistics.md §4: "Overall index: 43.9344262" (mean of the item indices).
    let overall = items.iter().map(|i| i.index.expect("index")).sum::<f64>() / 5.0;
    close(overall, 43.9344262, 1e-6, "overall index");
}

#[test]
fn data_readme_counts_the_thesis_did_not_publish() {
    let d = data();
    // data README: Q3 30, 89, 52, 182, 13 (B and D published, A C E chosen)
    assert_eq!(d.counts("q3"), [30, 89, 52, 182, 13]);
    // data README: Q5 96, 142, 71, 38, 19 (chosen)
    assert_eq!(d.counts("q5"), [96, 142, 71, 38, 19]);
    // data README: Q6 55, 136, 52, 29, 42, 40, 12
    assert_eq!(d.counts("q6"), [55, 136, 52, 29, 42, 40, 12]);
    // data README: Q7 136, 86, 42, 31, 19, 24, 17, 11
    assert_eq!(d.counts("q7"), [136, 86, 42, 31, 19, 24, 17, 11]);
    // data README: Q13 71, 169, 126 (the thesis's table 3.11 omits it)
    assert_eq!(d.counts("q13"), [71, 169, 126]);
    // data README: Q17 by score 0…10: 9, 5, 8, 14, 19, 37, 45, 49, 55, 58, 67
    let q17 = d.q("q17");
    let keys: Vec<String> = (0..=10).map(|s: u8| s.to_string()).collect();
    assert_eq!(q17.codes, keys);
    assert_eq!(q17.counts, [9, 5, 8, 14, 19, 37, 45, 49, 55, 58, 67]);
    // ... whose NPS groups are the thesis's 125 / 104 / 137 (fig. 3.8).
    let c = &q17.counts;
    assert_eq!(c[9..=10].iter().sum::<u64>(), 125);
    assert_eq!(c[7..=8].iter().sum::<u64>(), 104);
    assert_eq!(c[0..=6].iter().sum::<u64>(), 137);
}

#[test]
fn percentages_are_counts_over_366() {
    // questionnaire.md: "Percentages are count / 366". Every percentage the
    // library gives for the data set is exactly that.
    let d = data();
    for f in &d.freq.questions {
        for (i, &c) in f.counts.iter().enumerate() {
            close(
                f.percent(i).expect("answered"),
                100.0 * c as f64 / 366.0,
                1e-12,
                &format!("{} {}", f.question, f.codes[i]),
            );
        }
        assert_eq!(f.counts.iter().sum::<u64>(), 366, "{}", f.question);
    }
}

#[test]
fn report_agrees_with_its_parts() {
    let d = data();
    let r = manyi::report::report(&d.inst, &d.responses).expect("report");
    assert_eq!(r.instrument, "zg-x-branch-2023");
    assert_eq!(r.n, 366);
    assert_eq!(r.frequencies, d.freq);
    assert_eq!(
        r.nps.as_ref(),
        Some(&scoring::nps(&d.inst, &d.responses).expect("nps"))
    );
    assert_eq!(
        r.satisfaction,
        scoring::satisfaction(&d.inst, &d.responses).expect("satisfaction")
    );
    // The report's own NPS is the thesis's (fig. 3.8).
    let n = r.nps.expect("the built-in instrument has an NPS question");
    assert_eq!((n.promoters, n.passives, n.detractors), (125, 104, 137));
    assert_eq!(format!("{:.2}", n.nps.expect("n > 0")), "-3.28");
}

#[test]
fn extra_mode_column_survives_import() {
    // data README: "other columns (here `mode`: `paper` or `online`) are allowed".
    let d = data();
    let extras = d.responses.extras();
    assert_eq!(extras.len(), 1);
    assert_eq!(extras[0].name, "mode");
    assert_eq!(extras[0].values.len(), 366);
    assert!(extras[0]
        .values
        .iter()
        .all(|v| v == "paper" || v == "online"));
    // statistics.md §1 Differences: `mode` online (41,30,28) vs paper (84,74,109),
    // i.e. 99 online and 267 paper responses.
    let online = extras[0].values.iter().filter(|v| *v == "online").count();
    assert_eq!((online, 366 - online), (99, 267));
}

/// (promoters, passives, detractors) among the responses that `keep` selects.
fn groups(d: &Data, keep: impl Fn(usize) -> bool) -> (u64, u64, u64) {
    let q17 = d.inst.position("q17").expect("q17");
    let mut g = (0, 0, 0);
    for (r, &score) in d.responses.column(q17).iter().enumerate() {
        if !keep(r) {
            continue;
        }
        match score {
            9..=10 => g.0 += 1,
            7..=8 => g.1 += 1,
            0..=6 => g.2 += 1,
            other => panic!("row {r}: q17 code {other}"),
        }
    }
    g
}

#[test]
fn nps_segments_statistics_1() {
    let d = data();
    let col = |id: &str| d.responses.column(d.inst.position(id).expect(id)).to_vec();
    let (q1, q2) = (col("q1"), col("q2"));
    let mode = &d.responses.extras()[0].values;
    // statistics.md §1 Segments: Q1 A (59,49,69), Q1 B (66,55,68)
    assert_eq!(groups(&d, |r| q1[r] == 0), (59, 49, 69));
    assert_eq!(groups(&d, |r| q1[r] == 1), (66, 55, 68));
    // statistics.md §1 Segments: Q2 D (53,37,34), Q2 A (15,14,19)
    assert_eq!(groups(&d, |r| q2[r] == 3), (53, 37, 34));
    assert_eq!(groups(&d, |r| q2[r] == 0), (15, 14, 19));
    // statistics.md §1 Differences: mode online (41,30,28) vs paper (84,74,109)
    assert_eq!(groups(&d, |r| mode.get(r) == "online"), (41, 30, 28));
    assert_eq!(groups(&d, |r| mode.get(r) == "paper"), (84, 74, 109));
    // statistics.md §1 Segments: Q1 A NPS −5.64971751, Q1 B −1.05820106
    let nps = |(p, _, dt): (u64, u64, u64), n: u64| 100.0 * (p as f64 - dt as f64) / n as f64;
    close(nps((59, 49, 69), 177), -5.64971751, 1e-6, "Q1 A NPS");
    close(nps((66, 55, 68), 189), -1.05820106, 1e-6, "Q1 B NPS");
    // Through the library: the NPS of the Q1 = A rows alone (a store built with push).
    let mut seg = Responses::new(&d.inst, &[]).expect("no extra columns");
    let qn = d.inst.questions().len();
    for r in (0..d.responses.len()).filter(|&r| q1[r] == 0) {
        let codes: Vec<u8> = (0..qn).map(|q| d.responses.column(q)[r]).collect();
        seg.push(&d.inst, &d.responses.ids()[r], &codes, &[])
            .expect("push a valid row");
    }
    let n = scoring::nps(&d.inst, &seg).expect("segment nps");
    assert_eq!(
        (n.n, n.promoters, n.passives, n.detractors),
        (177, 59, 49, 69)
    );
    close(
        n.nps.expect("n > 0"),
        -5.64971751,
        1e-6,
        "Q1 A NPS via the library",
    );
}

/// The follow-up list: the thesis's 137 detractors (thesis text: 37.43% of 366),
/// flagged by Q10 B/C and Q11 D. The flag counts are recounted here straight
/// from the CSV text, independently of the core.
#[test]
fn follow_up_list_holds_the_detractors() {
    let d = data();
    let list = manyi::followup::follow_up(&d.inst, &d.responses).expect("follow-up");
    assert_eq!(list.len(), 137);
    assert!(list.iter().all(|f| f.detractor && f.score <= Some(6)));
    let text = std::fs::read_to_string(DEMO).expect("demo");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (q10, q11, q17) = (col("q10"), col("q11"), col("q17"));
    let (mut manager, mut contact, mut both) = (0, 0, 0);
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[q17].parse::<u8>().expect("q17") > 6 {
            continue;
        }
        let m = matches!(cells[q10], "B" | "C");
        let c = cells[q11] == "D";
        manager += usize::from(m);
        contact += usize::from(c);
        both += usize::from(m && c);
    }
    let flagged = |id: &str| {
        list.iter()
            .filter(|f| f.flags.iter().any(|x| x == id))
            .count()
    };
    assert_eq!(flagged("no-manager"), manager);
    assert_eq!(flagged("little-contact"), contact);
    let with_both = list.iter().filter(|f| f.flags.len() == 2).count();
    assert_eq!(with_both, both);
    assert!(
        manager > 0 && contact > 0,
        "the rules pick someone in the thesis data"
    );
}
