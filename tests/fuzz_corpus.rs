//! Regression corpus for the file readers: hostile or odd inputs, kept as
//! files under tests/fuzz-corpus/. Each must be read without a panic or a hang,
//! and be either imported or refused with located problems.

use manyi::{ErrorKind, Instrument, Responses};

fn corpus(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-corpus/").to_owned() + kind;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
        .collect()
}

#[test]
fn csv_corpus_is_read_or_refused_with_places() {
    let inst = Instrument::builtin();
    let files = corpus("csv");
    assert!(files.len() >= 8, "the corpus is missing files");
    for (name, bytes) in files {
        match Responses::from_csv(&inst, &bytes) {
            Ok(r) => {
                // Whatever imports must export and import again to the same thing.
                let again = Responses::from_csv(&inst, &r.to_csv(&inst, false).expect("export"));
                assert_eq!(again.as_ref().ok(), Some(&r), "{name}");
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Csv, "{name}");
                assert!(
                    e.total() >= 1 && e.problems().iter().all(|p| p.line.is_some()),
                    "{name}: {e}"
                );
            }
        }
    }
}
