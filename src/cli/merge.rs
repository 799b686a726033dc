//! `manyi merge`: combine several exports into one file with the core's merge
//! rules. Every file is imported first (all or nothing); a response met again
//! with the same answers counts once; a conflict (same id, different answers)
//! stops the merge, listed side by side, unless `--resolve ID=FILE` names the
//! file whose version wins. Each response's source file is kept in a `source`
//! column.
//!
//! The output is written atomically: a new temporary file with a name nobody
//! can guess, created exclusively next to the target (so a planted symlink or
//! file at that name is never followed or reused), written, synced to disk,
//! then renamed over the target; on any failure the temporary file is
//! removed, and after the rename the directory is synced (best effort, unix).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use manyi::merge::{self, Resolution};
use manyi::{Instrument, Responses};

use crate::{read_input, Failure};

/// Sets `source` to `name` where a file has no source column, or a blank one.
fn with_source(inst: &Instrument, r: Responses, name: &str) -> Result<Responses, Failure> {
    let has = r
        .extras()
        .iter()
        .any(|e| e.name.eq_ignore_ascii_case("source"));
    // Rebuild through the CSV writer so the column order stays the file's own.
    let mut csv = Vec::new();
    let mut source_col = None;
    r.each_row(inst, None, |row| {
        let mut row = row.to_vec();
        if source_col.is_none() {
            source_col = Some(
                row.iter()
                    .position(|h| h.eq_ignore_ascii_case("source"))
                    .unwrap_or(row.len()),
            );
            if !has {
                row.push("source".into());
            }
        } else if let Some(c) = source_col {
            if c == row.len() {
                row.push(name.into());
            } else if row[c].trim().is_empty() {
                row[c] = name.into();
            }
        }
        manyi::csv::write_record(&mut csv, row.iter().map(String::as_str));
    })
    .map_err(|e| Failure::Input(e.to_string()))?;
    Responses::from_csv(inst, &csv).map_err(|e| Failure::Input(format!("{name}: {e}")))
}

/// How many fresh names are tried before giving up on a temporary file.
const TEMP_ATTEMPTS: u32 = 8;

/// A hidden name for a temporary file next to `name`, not guessable: a hash
/// of the time, the process id and `attempt` under the standard library's
/// randomly keyed hasher.
fn temp_name(name: &str, attempt: u32) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u32(attempt);
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    format!(".{name}.{:016x}.tmp", h.finish())
}

/// Writes `bytes` to `path` atomically (see the module's doc).
pub(crate) fn write_atomically(path: &str, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Input(format!("cannot write {path}: {e}"));
    let target = Path::new(path);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file name",
        )));
    };
    let candidates = (0..TEMP_ATTEMPTS).map(|a| dir.join(temp_name(&name, a)));
    write_through(target, candidates, bytes).map_err(fail)?;
    sync_dir(dir);
    Ok(())
}

/// Creates the first of `candidates` that does not exist yet (never opening
/// one that does, a symlink included), writes and syncs `bytes`, and renames
/// it over `target`; removes it on any failure.
fn write_through(
    target: &Path,
    candidates: impl IntoIterator<Item = PathBuf>,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut last = None;
    for tmp in candidates {
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        drop(file);
        let done = written.and_then(|()| std::fs::rename(&tmp, target));
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return done;
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "no free name for a temporary file",
        )
    }))
}

/// Makes the rename durable: syncs the directory where the platform allows.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

pub(crate) fn run(
    inst: &Instrument,
    files: &[String],
    output: Option<&str>,
    resolve: &[(String, String)],
    json: bool,
) -> Result<String, Failure> {
    if files.len() < 2 {
        return Err(Failure::Usage("merge needs at least two CSV files".into()));
    }
    let Some(output) = output else {
        return Err(Failure::Usage("merge needs -o OUTPUT.csv".into()));
    };
    let mut sets = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for f in files {
        let name = Path::new(f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(f.clone());
        match read_input(f).and_then(|b| {
            Responses::from_bytes(inst, &b).map_err(|e| Failure::Input(format!("{f}: {e}")))
        }) {
            Ok(r) => sets.push((f.clone(), with_source(inst, r, &name)?)),
            Err(Failure::Input(m)) => problems.push(m),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Input(format!(
            "{}\nnothing was merged",
            problems.join("\n")
        )));
    }
    let wins: HashMap<&str, &str> = resolve
        .iter()
        .map(|(id, f)| (id.as_str(), f.as_str()))
        .collect();
    for (id, f) in resolve {
        match sets.iter().find(|(name, _)| name == f) {
            None => {
                return Err(Failure::Usage(format!(
                    "--resolve {id}={f}: {f} is not one of the files merged"
                )))
            }
            Some((_, r)) if !r.ids().iter().any(|x| x == id) => {
                return Err(Failure::Usage(format!(
                    "--resolve {id}={f}: {f} has no response {id}"
                )))
            }
            _ => {}
        }
    }
    let mut iter = sets.into_iter();
    let (first, mut acc) = iter
        .next()
        .ok_or_else(|| Failure::Usage("no files".into()))?;
    let mut holder: HashMap<String, String> = acc
        .ids()
        .iter()
        .map(|id| (id.to_owned(), first.clone()))
        .collect();
    // `added`: responses first seen in a later file.
    let (mut added, mut same, mut resolved) = (0usize, 0usize, 0usize);
    let mut unresolved = Vec::new();
    for (file, incoming) in iter {
        let plan = merge::plan(inst, &acc, &incoming).map_err(|e| Failure::Input(e.to_string()))?;
        let mut choices = HashMap::new();
        for c in &plan.conflicts {
            let choice = match wins.get(c.id.as_str()) {
                Some(&f) if f == file => Resolution::TakeIncoming,
                Some(_) => Resolution::KeepExisting,
                None => {
                    unresolved.push((
                        holder.get(&c.id).cloned().unwrap_or_default(),
                        file.clone(),
                        c.clone(),
                    ));
                    Resolution::KeepExisting
                }
            };
            if wins.contains_key(c.id.as_str()) {
                resolved += 1;
            }
            if choice == Resolution::TakeIncoming {
                holder.insert(c.id.clone(), file.clone());
            }
            choices.insert(c.id.clone(), choice);
        }
        for &r in &plan.new {
            holder.insert(incoming.ids()[r].to_owned(), file.clone());
        }
        added += plan.new.len();
        same += plan.same.len();
        acc = merge::apply(inst, &acc, &incoming, &plan, &choices)
            .map_err(|e| Failure::Input(e.to_string()))?;
    }
    if !unresolved.is_empty() {
        let mut msg = format!(
            "{} conflict(s): the same response id with different answers. Nothing was written.\n\
             Check the paper forms, then re-run with --resolve ID=FILE for each.\n",
            unresolved.len()
        );
        for (a, b, c) in &unresolved {
            msg.push_str(&format!("\n  {}: {} vs {}\n", c.id, a, b));
            let qs = inst.questions();
            for q in &c.questions {
                if let Some(i) = qs.iter().position(|x| &x.id == q) {
                    msg.push_str(&format!(
                        "    {q:<4} {:>4}  {:>4}\n",
                        c.existing[i], c.incoming[i]
                    ));
                }
            }
        }
        return Err(Failure::Input(msg.trim_end().to_owned()));
    }
    let bytes = acc
        .to_csv(inst, true)
        .map_err(|e| Failure::Input(e.to_string()))?;
    write_atomically(output, &bytes)?;
    let summary = serde_json::json!({
        "files": files.len(), "responses": acc.len(), "new": added,
        "same": same, "conflicts_resolved": resolved, "output": output,
    });
    if json {
        return Ok(serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n");
    }
    Ok(format!(
        "merged {} files into {output}: {} responses ({same} met again and counted once, {resolved} conflict(s) resolved)\n",
        files.len(),
        acc.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Dir {
            let dir = std::env::temp_dir().join(format!(
                "manyi-write-{tag}-{}-{}",
                std::process::id(),
                temp_name(tag, 0)
            ));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Dir(dir)
        }

        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(&self.0)
                .expect("dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn temp_names_are_hidden_and_differ() {
        let a = temp_name("all.csv", 0);
        assert!(a.starts_with(".all.csv.") && a.ends_with(".tmp"), "{a}");
        assert_ne!(a, temp_name("all.csv", 0));
        assert_ne!(a, temp_name("all.csv", 1));
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_at_the_temp_name_is_not_followed() {
        let dir = Dir::new("planted");
        let victim = dir.0.join("victim.txt");
        std::fs::write(&victim, "do not touch\n").expect("victim");
        let planted = dir.0.join(".out.csv.planted.tmp");
        std::os::unix::fs::symlink(&victim, &planted).expect("symlink");
        let target = dir.0.join("out.csv");
        let fresh = dir.0.join(".out.csv.fresh.tmp");
        write_through(&target, [planted.clone(), fresh], b"a,b\n").expect("written");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "do not touch\n"
        );
        assert_eq!(std::fs::read_to_string(&target).expect("out"), "a,b\n");
        // The planted link is someone else's: left as it was, nothing else left.
        assert!(std::fs::symlink_metadata(&planted)
            .expect("link")
            .file_type()
            .is_symlink());
        assert_eq!(
            dir.names(),
            [".out.csv.planted.tmp", "out.csv", "victim.txt"]
        );
        // Only taken names: an error, nothing written.
        let e = write_through(&dir.0.join("other.csv"), [planted], b"x").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(
            dir.names(),
            [".out.csv.planted.tmp", "out.csv", "victim.txt"]
        );
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_file() {
        let dir = Dir::new("rename");
        let target = dir.0.join("sub");
        std::fs::create_dir(&target).expect("mkdir");
        std::fs::write(target.join("keep"), "x").expect("write");
        let tmp = dir.0.join(".sub.tmp");
        assert!(write_through(&target, [tmp], b"data").is_err());
        assert_eq!(dir.names(), ["sub"]);
        assert!(write_atomically(target.to_str().expect("UTF-8"), b"data").is_err());
        assert_eq!(dir.names(), ["sub"]);
    }

    #[test]
    fn writes_and_replaces_leaving_only_the_target() {
        let dir = Dir::new("replace");
        let target = dir.0.join("all.csv");
        let path = target.to_str().expect("UTF-8");
        write_atomically(path, b"one\n")
            .map_err(|_| "write")
            .expect("first");
        write_atomically(path, b"two\n")
            .map_err(|_| "write")
            .expect("second");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "two\n");
        assert_eq!(dir.names(), ["all.csv"]);
    }
}
