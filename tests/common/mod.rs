//! Helpers shared by the integration tests that run the `manyi` binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The reference data set (366 responses), as committed under www/demo/.
pub const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/zg-x-branch-2023.csv");

/// Runs `manyi` with `args` and no standard input.
pub fn manyi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run manyi")
}

/// Runs `manyi` with `args`, feeding `input` on standard input.
pub fn manyi_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run manyi");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait for manyi")
}

/// A run's standard output (it is always UTF-8).
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// A run's standard error, lossily (a panic's message may not be UTF-8).
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The interchange CSV header of the built-in instrument (`id`, `q1` … `q17`),
/// then `extra` columns if not empty, with its line end.
pub fn header(extra: &str) -> String {
    let mut h = String::from("id");
    for q in 1..=17 {
        h.push_str(&format!(",q{q}"));
    }
    if !extra.is_empty() {
        h.push(',');
        h.push_str(extra);
    }
    h + "\n"
}
