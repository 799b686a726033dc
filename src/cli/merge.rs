//! `manyi merge`: combine several exports into one file with the core's merge
//! rules. Every file is imported first (all or nothing); a response met again
//! with the same answers counts once; a conflict (same id, different answers)
//! stops the merge, listed side by side, unless `--resolve ID=FILE` names the
//! file whose version wins. Each response's source file is kept in a `source`
//! column. The output is written atomically (a temporary file, then a rename).

use std::collections::HashMap;
use std::path::Path;

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

pub(crate) fn write_atomically(path: &str, bytes: &[u8]) -> Result<(), Failure> {
    let target = Path::new(path);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let fail = |e: std::io::Error| Failure::Input(format!("cannot write {path}: {e}"));
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
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
            Responses::from_csv(inst, &b).map_err(|e| Failure::Input(format!("{f}: {e}")))
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
        .map(|id| (id.clone(), first.clone()))
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
            holder.insert(incoming.ids()[r].clone(), file.clone());
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
