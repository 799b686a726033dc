//! Native benchmarks of the core at 10,000, 100,000 and 1,000,000 responses:
//! CSV import, the full report, one cross-tab with its tests, and all 16×16
//! cross-tabs of the single-choice questions (one full cross-tab call each, all
//! 256 in one `crosstabs` call, and the association matrix that tests every
//! pair in one call), the device
//! store's chunk written and read back, the key drivers with their 1,000
//! bootstrap resamples drawn by row and by pattern (drivers::Draw), and (at
//! 100,000) the import of ids crafted to collide in an unkeyed hash. `cargo bench --bench core`
//! prints a table; `-- --json` prints the numbers for `bench/run.mjs`.
//! A small harness of our own (median of repeated runs, std::time::Instant)
//! rather than criterion: the figures feed one combined table with the
//! browser's, and criterion would double the build on a 2-core machine.

use std::hint::black_box;
use std::time::Instant;

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use manyi::crosstab::{association_matrix, crosstab, crosstabs_where};
use manyi::drivers::{drivers, Draw, Options};
use manyi::store::{decode_chunk, encode_chunk, StoredSet};
use manyi::{generate::generate, Instrument, QuestionKind, Responses};

/// The median time of `runs` calls of `f`, in milliseconds.
fn median_ms<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// One size's figures (milliseconds, but `n` and the CSV's `bytes`).
#[derive(Clone, Copy)]
struct Row {
    n: usize,
    bytes: usize,
    import: f64,
    report: f64,
    one: f64,
    all: f64,
    banner: f64,
    matrix: f64,
    encode: f64,
    decode: f64,
    crafted: Option<f64>,
    by_row: f64,
    by_pattern: f64,
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let inst = Instrument::builtin();
    let singles: Vec<String> = inst
        .questions()
        .iter()
        .filter(|q| q.kind == QuestionKind::Single)
        .map(|q| q.id.clone())
        .collect();
    let mut rows = Vec::new();
    for n in [10_000usize, 100_000, 1_000_000] {
        let data = generate(&inst, n, 1).expect("generate");
        let csv = data.to_csv(&inst, false).expect("csv");
        let runs = if n >= 1_000_000 { 5 } else { 15 };
        let import = median_ms(runs, || Responses::from_csv(&inst, &csv).expect("import"));
        let report = median_ms(runs, || {
            manyi::report::report(&inst, &data).expect("report")
        });
        let one = median_ms(runs, || {
            crosstab(&inst, &data, "q2", "q14").expect("crosstab")
        });
        let all = median_ms(runs.min(5), || {
            for r in &singles {
                for c in &singles {
                    black_box(crosstab(&inst, &data, r, c).expect("crosstab"));
                }
            }
        });
        let banner = median_ms(runs.min(5), || {
            crosstabs_where(&inst, &data, &singles, &singles, None).expect("crosstabs")
        });
        let matrix = median_ms(runs.min(5), || {
            association_matrix(&inst, &data, &singles).expect("matrix")
        });
        let key_drivers = |draw| {
            median_ms(3, || {
                let options = Options {
                    draw,
                    ..Options::default()
                };
                drivers(&inst, &data, &options).expect("drivers")
            })
        };
        let by_row = key_drivers(Draw::Rows);
        let by_pattern = key_drivers(Draw::Patterns);
        let mut set = StoredSet::new(inst.clone());
        set.exported = vec![false; data.len()];
        set.contacts = vec![None; data.len()];
        set.origin = manyi::store::Origins::chunks(data.len());
        set.responses = data.clone();
        let chunk = encode_chunk(&set);
        let encode = median_ms(runs, || encode_chunk(&set));
        let decode = median_ms(runs, || decode_chunk(&chunk).expect("chunk"));
        // The same file with ids that an unkeyed hash (std's SipHash with
        // fixed keys) puts in one bucket of 256: no slower, since ids are keyed.
        let crafted = (n == 100_000).then(|| {
            let fixed = BuildHasherDefault::<DefaultHasher>::default();
            let mut ids = (0u64..)
                .map(|i| format!("C{i:09}"))
                .filter(|id| fixed.hash_one(id.as_str()) & 255 == 0);
            let text = String::from_utf8(csv.clone()).expect("utf8");
            let mut out = String::with_capacity(text.len() + n * 4);
            for (i, line) in text.split_inclusive('\n').enumerate() {
                match (i, line.split_once(',')) {
                    (0, _) | (_, None) => out.push_str(line),
                    (_, Some((_, rest))) => {
                        out.push_str(&ids.next().expect("endless"));
                        out.push(',');
                        out.push_str(rest);
                    }
                }
            }
            let bytes = out.into_bytes();
            median_ms(runs, || Responses::from_csv(&inst, &bytes).expect("import"))
        });
        rows.push(Row {
            n,
            bytes: csv.len(),
            import,
            report,
            one,
            all,
            banner,
            matrix,
            encode,
            decode,
            crafted,
            by_row,
            by_pattern,
        });
    }
    if json {
        let items: Vec<String> = rows
            .iter()
            .map(|r| {
                let Row { n, bytes, import, report, one, all, banner, matrix, encode, decode, crafted, by_row, by_pattern } = *r;
                let crafted = crafted.map_or("null".to_string(), |c| format!("{c:.3}"));
                format!(
                    "{{\"n\":{n},\"csv_bytes\":{bytes},\"import_ms\":{import:.3},\"report_ms\":{report:.3},\"crosstab_ms\":{one:.3},\"all_crosstabs_ms\":{all:.3},\"banner_ms\":{banner:.3},\"matrix_ms\":{matrix:.3},\"chunk_encode_ms\":{encode:.3},\"chunk_decode_ms\":{decode:.3},\"crafted_import_ms\":{crafted},\"drivers_by_row_ms\":{by_row:.3},\"drivers_by_pattern_ms\":{by_pattern:.3}}}"
                )
            })
            .collect();
        println!("[{}]", items.join(","));
        return;
    }
    println!(
        "native (median ms)       import   MB/s    report  crosstab  16×16 crosstabs  in one call  16×16 matrix  chunk write  chunk read  crafted ids import  drivers by row  by pattern"
    );
    for r in rows {
        let mbs = r.bytes as f64 / 1e6 / (r.import / 1000.0);
        let crafted = r.crafted.map_or("—".to_string(), |c| format!("{c:.1}"));
        println!(
            "{:>9} responses  {:>9.1} {mbs:>6.0} {:>9.2} {:>9.3} {:>16.1} {:>12.1} {:>13.1} {:>12.1} {:>11.1} {crafted:>19} {:>15.1} {:>11.1}",
            r.n, r.import, r.report, r.one, r.all, r.banner, r.matrix, r.encode, r.decode, r.by_row, r.by_pattern
        );
    }
}
