//! `manyi merge`: three devices' overlapping exports of the thesis data merge
//! into exactly the union; a conflict is listed side by side and nothing is
//! written until a person resolves it.

use std::path::{Path, PathBuf};
use std::process::Command;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/zg-x-branch-2023.csv");

fn manyi(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh directory with three device exports: rows 1–150, 101–250 and 201–366
/// of the demo data (each pair overlaps by 50 responses).
fn devices(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("manyi-merge-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let text = std::fs::read_to_string(DEMO).expect("demo");
    let lines: Vec<&str> = text.lines().collect();
    for (i, (from, to)) in [(1, 150), (101, 250), (201, 366)].into_iter().enumerate() {
        let mut f = String::from(lines[0]);
        for l in &lines[from..=to] {
            f.push('\n');
            f.push_str(l);
        }
        std::fs::write(dir.join(format!("dev{}.csv", i + 1)), f + "\n").expect("write");
    }
    dir
}

fn p(dir: &Path, f: &str) -> String {
    dir.join(f).to_string_lossy().into_owned()
}

/// The file's rows without the `source` column that merge adds, BOM and CRLF aside.
fn rows_without_source(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read");
    let text = text.trim_start_matches('\u{feff}');
    let header: Vec<&str> = text.lines().next().expect("header").split(',').collect();
    let source = header.iter().position(|h| *h == "source");
    text.lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            if let Some(s) = source {
                f.remove(s);
            }
            f.join(",")
        })
        .collect()
}

#[test]
fn three_overlapping_devices_merge_into_the_union() {
    let dir = devices("union");
    let out = p(&dir, "all.csv");
    let (code, stdout, stderr) = manyi(&[
        "merge",
        &p(&dir, "dev1.csv"),
        &p(&dir, "dev2.csv"),
        &p(&dir, "dev3.csv"),
        "-o",
        &out,
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    // 150 + 150 + 166 rows, 50 + 50 of them met twice.
    assert_eq!(summary["responses"], 366);
    assert_eq!(summary["same"], 100);
    assert_eq!(summary["new"], 216);
    let demo: Vec<String> = std::fs::read_to_string(DEMO)
        .expect("demo")
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(rows_without_source(&out), demo);
    // Every response remembers which device file it came from.
    let merged = std::fs::read_to_string(&out).expect("read");
    assert!(merged.lines().nth(1).expect("row").ends_with(",dev1.csv"));
    assert!(merged.lines().last().expect("row").ends_with(",dev3.csv"));
    // The union's NPS is the thesis's: −3.28 (125 / 104 / 137).
    let (_, nps, _) = manyi(&["nps", &out, "--json"]);
    let nps: serde_json::Value = serde_json::from_str(&nps).expect("json");
    assert_eq!(
        (nps["promoters"].clone(), nps["detractors"].clone()),
        (125.into(), 137.into())
    );
    // Merging the result with a device again changes nothing.
    let again = p(&dir, "again.csv");
    let (code, _, stderr) = manyi(&["merge", &out, &p(&dir, "dev2.csv"), "-o", &again]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read(&again).expect("again"),
        std::fs::read(&out).expect("all")
    );
}

#[test]
fn a_conflict_is_listed_and_nothing_is_written_until_resolved() {
    let dir = devices("conflict");
    // Device 3 recorded X2023-0220 (also on device 2) with another q1 and q17.
    let dev3 = p(&dir, "dev3.csv");
    let text = std::fs::read_to_string(&dev3).expect("read");
    let row = text
        .lines()
        .find(|l| l.starts_with("X2023-0220,"))
        .expect("row")
        .to_string();
    let mut f: Vec<String> = row.split(',').map(String::from).collect();
    let (q1, q17) = (f[2].clone(), f[18].clone());
    f[2] = if q1 == "A" { "B".into() } else { "A".into() };
    f[18] = if q17 == "0" { "1".into() } else { "0".into() };
    std::fs::write(&dev3, text.replace(&row, &f.join(","))).expect("write");
    let out = p(&dir, "all.csv");
    std::fs::write(&out, "an earlier file\n").expect("write");
    let files = [p(&dir, "dev1.csv"), p(&dir, "dev2.csv"), dev3.clone()];
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["-o", &out]);
    let (code, stdout, stderr) = manyi(&args);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("1 conflict(s)") && stderr.contains("Nothing was written"),
        "{stderr}"
    );
    assert!(
        stderr.contains("X2023-0220: ")
            && stderr.contains("dev2.csv vs ")
            && stderr.contains("dev3.csv"),
        "{stderr}"
    );
    let q1_line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("q1 "))
        .expect("q1 line");
    assert!(
        q1_line.contains(&q1) && q1_line.contains(&f[2]),
        "{q1_line}"
    );
    assert!(
        stderr.lines().any(|l| l.trim_start().starts_with("q17")),
        "{stderr}"
    );
    // The output file is untouched and no temporary file is left behind.
    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        "an earlier file\n"
    );
    let leftovers = std::fs::read_dir(&dir).expect("dir").filter(|e| {
        e.as_ref()
            .map(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .unwrap_or(false)
    });
    assert_eq!(leftovers.count(), 0);
    // A person checks the paper form: device 3 was right.
    let resolve = format!("X2023-0220={dev3}");
    args.extend(["--resolve", &resolve]);
    let (code, _, stderr) = manyi(&args);
    assert_eq!(code, 0, "{stderr}");
    let merged = std::fs::read_to_string(&out).expect("read");
    let kept = merged
        .lines()
        .find(|l| l.starts_with("X2023-0220,"))
        .expect("kept");
    assert!(kept.starts_with(&f[..19].join(",")), "{kept}");
    assert_eq!(merged.lines().count(), 367);
}

#[test]
fn bad_input_merges_nothing() {
    let dir = devices("bad");
    let out = p(&dir, "all.csv");
    let bad = p(&dir, "bad.csv");
    std::fs::write(&bad, "id,q1\nx,A\n").expect("write");
    let (code, _, stderr) = manyi(&["merge", &p(&dir, "dev1.csv"), &bad, "-o", &out]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("nothing was merged") && stderr.contains("q17"),
        "{stderr}"
    );
    assert!(!Path::new(&out).exists());
    for args in [vec!["merge", "a.csv"], vec!["merge", "a.csv", "b.csv"]] {
        let (code, _, stderr) = manyi(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }
    let (code, _, stderr) = manyi(&[
        "merge",
        &p(&dir, "dev1.csv"),
        &p(&dir, "dev2.csv"),
        "-o",
        &out,
        "--resolve",
        "nope",
    ]);
    assert_eq!(code, 2, "{stderr}");
}
