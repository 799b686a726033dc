//! The CLI reads an .xlsx workbook wherever it reads CSV (issue 16: given one,
//! it printed the zip's bytes back as a CSV error). Told apart by content, so a
//! workbook on standard input works too.

mod common;
use common::{manyi, manyi_stdin, stderr, stdout, DEMO};
use manyi::{export, Instrument, Lang, Responses};

fn demo_xlsx() -> Vec<u8> {
    let inst = Instrument::builtin();
    let csv = std::fs::read(DEMO).expect("demo");
    let responses = Responses::from_csv(&inst, &csv).expect("demo reads");
    export::to_xlsx(&inst, &responses, Lang::ZhCn).expect("workbook")
}

#[test]
fn a_workbook_gives_the_same_report_as_its_csv() {
    let dir = std::env::temp_dir().join(format!("manyi-cli-xlsx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let book = dir.join("branch.xlsx");
    std::fs::write(&book, demo_xlsx()).unwrap();
    let from_csv = manyi(&["report", DEMO, "--json"]);
    let from_xlsx = manyi(&["report", book.to_str().unwrap(), "--json"]);
    assert_eq!(from_xlsx.status.code(), Some(0), "{}", stderr(&from_xlsx));
    assert_eq!(stdout(&from_xlsx), stdout(&from_csv));
    // On standard input, with no name to go by.
    let piped = manyi_stdin(&["nps", "-", "--json"], &demo_xlsx());
    assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
    assert_eq!(stdout(&piped), stdout(&manyi(&["nps", DEMO, "--json"])));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_damaged_workbook_says_it_is_a_workbook() {
    let mut book = demo_xlsx();
    book.truncate(200);
    let out = manyi_stdin(&["freq", "-"], &book);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.to_lowercase().contains("xlsx") || err.contains("workbook"),
        "{err}"
    );
    assert!(!err.contains("PK\u{3}\u{4}"), "no binary echoed: {err}");
}
