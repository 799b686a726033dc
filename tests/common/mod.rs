//! Helpers shared by the integration tests that run the `manyi` binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// A fresh directory under the system temp dir, removed on drop (its
/// permissions restored first, for tests that make it read-only).
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory named after `tag`, this process and a counter.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("manyi-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// The path of `name` inside the directory.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("UTF-8 path").to_owned()
    }

    /// Writes `contents` to `name` inside the directory; returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }

    /// The names in the directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file of `responses` as another device would send it: a backup of one
/// set, written and read back (and checked to read back as written).
pub fn backup_of(
    instrument: manyi::Instrument,
    responses: manyi::Responses,
) -> manyi::backup::DeviceBackup {
    let n = responses.len();
    let set = manyi::backup::SetBackup {
        instrument,
        responses,
        exported: vec![false; n],
        contacts: vec![None; n],
    };
    let none = serde_json::json!([]);
    let text = manyi::backup::write_device(
        std::slice::from_ref(&set),
        &none,
        &none,
        &serde_json::Value::Null,
        "",
    )
    .expect("written");
    let file = manyi::backup::read_device(&text).expect("reads");
    assert_eq!(file.sets, [set]);
    file
}
