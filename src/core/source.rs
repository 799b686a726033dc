//! Where a page may read a questionnaire from.
//!
//! A link such as `survey.html?instrument=…` decides which questions a
//! customer sees under the bank's own address, so it may only name a
//! questionnaire file the site itself publishes: a relative path under
//! `instruments/`, made of plain path segments (letters, digits, `.`, `_`,
//! `-`; no `.` or `..` segment, no empty segment) and ending in `.json`.
//! Anything else — another origin (`http://…`, `//host/…`), an absolute path,
//! a `data:` or `blob:` URL, an escape (`%2e`), a backslash, a query or a
//! fragment — is refused with [`ProblemCode::ForeignSource`] before anything
//! is fetched. The page's Content-Security-Policy (`connect-src 'self'`) is
//! the second line of defence, not the first.

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};

/// The folder of the site that holds its questionnaires.
pub const FOLDER: &str = "instruments/";

/// Longest path accepted (a file name, not a document).
const MAX_LEN: usize = 200;

/// Checks that `path` names a questionnaire of this site; returns it unchanged.
pub fn instrument_path(path: &str) -> Result<&str> {
    let refuse = |why: &str| {
        Err(Error::single(
            ErrorKind::Request,
            Problem::new(
                ProblemCode::ForeignSource,
                format!(
                    "a questionnaire can only be read from this site's {FOLDER} folder \
                     (for example {FOLDER}branch-2024.json): {why}"
                ),
            )
            .in_field("instrument")
            .with_value(path),
        ))
    };
    if path.len() > MAX_LEN {
        return refuse("the path is too long");
    }
    let Some(rest) = path.strip_prefix(FOLDER) else {
        return refuse("the path does not start with instruments/");
    };
    if !rest.ends_with(".json") {
        return refuse("the file is not a .json file");
    }
    for segment in rest.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return refuse("the path has an empty, . or .. part");
        }
        if let Some(c) = segment
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return refuse(&format!("{c:?} is not allowed in a file name here"));
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sites_instruments_folder() {
        for ok in [
            "instruments/zg-x-branch-2023.json",
            "instruments/2024/branch_A.v2.json",
        ] {
            assert_eq!(instrument_path(ok).unwrap(), ok);
        }
        for bad in [
            "http://evil.example/pin.json",
            "https://evil.example/instruments/x.json",
            "//evil.example/instruments/x.json",
            "/instruments/x.json",
            "instruments/../pin.json",
            "instruments/./x.json",
            "instruments//x.json",
            "instruments/%2e%2e/x.json",
            "instruments\\x.json",
            "instruments/x.json?y",
            "instruments/x.json#y",
            "instruments/x.txt",
            "instruments/",
            "data:application/json,{}",
            "blob:http://127.0.0.1/x",
            "javascript:alert(1)",
            "Instruments/x.json",
            " instruments/x.json",
            "other-instrument.json",
            "",
        ] {
            let err = instrument_path(bad).unwrap_err();
            let p = &err.problems()[0];
            assert_eq!(p.code, ProblemCode::ForeignSource, "{bad}");
            assert_eq!(p.value.as_deref(), Some(bad));
            assert!(p.message.contains("instruments/"), "{}", p.message);
        }
        assert!(instrument_path(&format!("instruments/{}.json", "a".repeat(300))).is_err());
    }
}
