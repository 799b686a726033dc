//! `manyi`: the analysts' command-line tool over the same core as the page.
//!
//! Human-readable tables by default (Simplified Chinese; `--lang en` for
//! English), JSON with `--json`. Exit 0 on success, 1 when the input is bad
//! (every problem on stderr), 2 when the command line is wrong.

mod drivers;
mod export;
mod merge;
mod render;
mod trend;

use std::io::{Read, Write};
use std::process::ExitCode;

use manyi::crosstab::{crosstab, crosstabs_where};
use manyi::{scoring, Instrument, Lang, Responses};

const USAGE: &str = "\
manyi — survey and NPS scoring (满意)

Usage:
  manyi freq FILE.csv      frequency table of every question
  manyi nps FILE.csv       Net Promoter Score with its 95% interval
  manyi nps FILE.csv --by Q       NPS for each option of question Q, compared
  manyi nps FILE.csv --compare B.csv   NPS of two files and the test of the difference
  manyi crosstab FILE.csv ROW COL      cross-tab of two questions with tests (e.g. q14 q2);
                           ROW and COL may be lists (q14,q16 q1,q2): every pair,
                           counted in one pass (--json: an array)
  manyi report FILE.csv    everything: NPS, satisfaction, frequencies
  manyi drivers FILE.csv [--target q17] [--items q12,q13,…] [--seed S]
                           key drivers: each item's share of the NPS question's
                           explained variance (Shapley), with bootstrap intervals
  manyi trend FILE.csv --date-column COL --period month|quarter|week
                           NPS per period with its interval and the test of
                           each change
  manyi merge A.csv B.csv … -o ALL.csv [--resolve ID=B.csv …]
                           combine devices' or branches' exports: the same response
                           twice counts once; a conflict is listed, never overwritten
  manyi export FILE.csv --format F -o OUT [--lang zh-CN|en]
                           the responses for other tools; F is csv, labelled
                           (option texts), xlsx, backup, sav (SPSS, with
                           Chinese or English labels) or parquet
  manyi instrument         print the instrument (JSON) — a template for your own
  manyi generate --n N [--seed S] [-o FILE.csv]
                           N realistic synthetic responses (for benchmarks, at
                           most 10 million), the same for the same seed;
                           standard output without -o

Options:
  --json                   print JSON instead of tables
  --lang zh-CN|en          language of the tables (default zh-CN)
  --instrument FILE.json   use this instrument instead of the built-in one
  -h, --help               this help
  -V, --version            the version

FILE may be - to read standard input. Files are in manyi's interchange CSV
format: a header with id and one column per question, UTF-8.
";

/// A failure, with the exit code it maps to.
pub(crate) enum Failure {
    Usage(String),
    Input(String),
}

struct Args {
    command: String,
    positional: Vec<String>,
    json: bool,
    lang: Lang,
    instrument: Option<String>,
    by: Option<String>,
    compare: Option<String>,
    output: Option<String>,
    resolve: Vec<(String, String)>,
    n: Option<usize>,
    seed: u64,
    /// `drivers`: the target question (default: the instrument's NPS question).
    target: Option<String>,
    /// `drivers`: the items, comma-separated (default: the satisfaction scale).
    items: Option<String>,
    /// `trend`: the column holding each response's date.
    date_column: Option<String>,
    /// `trend`: month, quarter or week.
    period: Option<String>,
    /// `export`: the file format (csv, labelled, xlsx, backup, sav, parquet).
    format: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, Failure> {
    let mut command = None;
    let mut positional = Vec::new();
    let mut by = None;
    let mut output = None;
    let mut resolve = Vec::new();
    let mut compare = None;
    let mut json = false;
    let mut lang = Lang::ZhCn;
    let mut instrument = None;
    let mut n = None;
    let mut seed = 1;
    let mut target = None;
    let mut items = None;
    let mut date_column = None;
    let mut period = None;
    let mut format = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" | "help" => return Ok(None),
            "-V" | "--version" => {
                println!("manyi {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            "--json" => json = true,
            "--lang" => {
                let v = args
                    .next()
                    .ok_or_else(|| Failure::Usage("--lang needs a value: zh-CN or en".into()))?;
                lang = Lang::parse(&v).ok_or_else(|| {
                    Failure::Usage(format!("unknown language {v:?}: use zh-CN or en"))
                })?;
            }
            "--instrument" => {
                instrument = Some(
                    args.next()
                        .ok_or_else(|| Failure::Usage("--instrument needs a file".into()))?,
                );
            }
            "-o" | "--output" => {
                let v = args.next();
                output = Some(v.ok_or_else(|| Failure::Usage("-o needs a file".into()))?);
            }
            "--resolve" => {
                let v = args.next().unwrap_or_default();
                // At the last `=`: a response id may contain `=`, a file name rarely does.
                let Some((id, file)) = v.rsplit_once('=') else {
                    return Err(Failure::Usage(
                        "--resolve takes ID=FILE (the file whose version wins)".into(),
                    ));
                };
                resolve.push((id.trim().to_owned(), file.to_owned()));
            }
            "--by" => {
                let v = args.next();
                by = Some(v.ok_or_else(|| Failure::Usage("--by needs a question id".into()))?);
            }
            "--n" => {
                let v = args.next().unwrap_or_default();
                let digits = v.trim();
                n = Some(match digits.parse() {
                    Ok(n) => n,
                    // A whole number past usize: too many, not a mistyped option.
                    Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                        return Err(Failure::Input(format!(
                            "--n {digits}: generate makes at most {} responses at a time",
                            manyi::generate::MAX_RESPONSES
                        )))
                    }
                    Err(_) => {
                        return Err(Failure::Usage(format!(
                            "--n takes a whole number of responses, not {v:?}"
                        )))
                    }
                });
            }
            "--seed" => {
                let v = args.next().unwrap_or_default();
                seed = v.trim().parse().map_err(|_| {
                    Failure::Usage(format!("--seed takes a whole number, not {v:?}"))
                })?;
            }
            "--compare" => {
                let v = args.next();
                compare = Some(v.ok_or_else(|| Failure::Usage("--compare needs a file".into()))?);
            }
            "--format" => {
                let v = args.next().ok_or_else(|| {
                    Failure::Usage(format!("--format needs a value: {}", export::FORMATS))
                })?;
                format = Some(v);
            }
            "--target" | "--items" | "--date-column" | "--period" => {
                let v = args
                    .next()
                    .ok_or_else(|| Failure::Usage(format!("{a} needs a value")))?;
                *match a.as_str() {
                    "--target" => &mut target,
                    "--items" => &mut items,
                    "--date-column" => &mut date_column,
                    _ => &mut period,
                } = Some(v);
            }
            s if s.starts_with("--") => return Err(Failure::Usage(format!("unknown option {s}"))),
            _ if command.is_none() => command = Some(a),
            _ => positional.push(a),
        }
    }
    let Some(command) = command else {
        return Ok(None);
    };
    Ok(Some(Args {
        command,
        positional,
        json,
        lang,
        instrument,
        by,
        compare,
        output,
        resolve,
        n,
        seed,
        target,
        items,
        date_column,
        period,
        format,
    }))
}

pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    result.map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))?;
    Ok(bytes)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

fn run(args: Args) -> Result<String, Failure> {
    let instrument = match &args.instrument {
        Some(path) => {
            let bytes = read_input(path)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Failure::Input(format!("{path}: an instrument file must be UTF-8")))?;
            Instrument::from_json(&text).map_err(|e| Failure::Input(format!("{path}: {e}")))?
        }
        None => Instrument::builtin(),
    };
    if args.command == "instrument" {
        return Ok(instrument.to_json() + "\n");
    }
    if args.command == "merge" {
        return merge::run(
            &instrument,
            &args.positional,
            args.output.as_deref(),
            &args.resolve,
            args.json,
        );
    }
    if args.command == "generate" {
        let n = args
            .n
            .ok_or_else(|| Failure::Usage("generate needs --n N (how many responses)".into()))?;
        if let Some(extra) = args.positional.first() {
            return Err(Failure::Usage(format!("unexpected argument {extra:?}")));
        }
        let responses = manyi::generate::generate(&instrument, n, args.seed)
            .map_err(|e| Failure::Input(e.to_string()))?;
        let bytes = responses
            .to_csv(&instrument, false)
            .map_err(|e| Failure::Input(e.to_string()))?;
        return match &args.output {
            Some(path) => {
                merge::write_atomically(path, &bytes)?;
                Ok(String::new())
            }
            None => String::from_utf8(bytes).map_err(|e| Failure::Input(e.to_string())),
        };
    }
    if args.command == "export" {
        if args.positional.len() != 1 {
            return Err(Failure::Usage(
                "export needs one CSV or .xlsx file (and --format, -o)".into(),
            ));
        }
        let (format, output) = export::check(args.format.as_deref(), args.output.as_deref())?;
        let path = &args.positional[0];
        let responses = Responses::from_bytes(&instrument, &read_input(path)?)
            .map_err(|e| Failure::Input(format!("{path}: {e}")))?;
        return export::run(&instrument, &responses, format, output, args.lang);
    }
    if args.format.is_some() {
        return Err(Failure::Usage("--format goes with export".into()));
    }
    if args.output.is_some() || !args.resolve.is_empty() {
        return Err(Failure::Usage("-o and --resolve go with merge".into()));
    }
    let wanted = match args.command.as_str() {
        "freq" | "nps" | "report" | "drivers" | "trend" => 1,
        "crosstab" => 3,
        other => return Err(Failure::Usage(format!("unknown command {other:?}"))),
    };
    if let Some(extra) = args.positional.get(wanted) {
        return Err(Failure::Usage(format!("unexpected argument {extra:?}")));
    }
    if args.positional.len() != wanted {
        let what = if wanted == 1 {
            "a CSV or .xlsx file"
        } else {
            "a CSV or .xlsx file and two question ids"
        };
        return Err(Failure::Usage(format!("{} needs {what}", args.command)));
    }
    if (args.by.is_some() || args.compare.is_some()) && args.command != "nps" {
        return Err(Failure::Usage("--by and --compare go with nps".into()));
    }
    if (args.target.is_some() || args.items.is_some()) && args.command != "drivers" {
        return Err(Failure::Usage(
            "--target and --items go with drivers".into(),
        ));
    }
    if (args.date_column.is_some() || args.period.is_some()) && args.command != "trend" {
        return Err(Failure::Usage(
            "--date-column and --period go with trend".into(),
        ));
    }
    let load = |path: &str| -> Result<Responses, Failure> {
        let bytes = read_input(path)?;
        // CSV or .xlsx, told apart by content (standard input has no name).
        Responses::from_bytes(&instrument, &bytes)
            .map_err(|e| Failure::Input(format!("{path}: {e}")))
    };
    let responses = load(&args.positional[0])?;
    let fail = |e: manyi::Error| Failure::Input(e.to_string());
    let mut out = String::new();
    match args.command.as_str() {
        "freq" => {
            let f = scoring::frequencies(&instrument, &responses).map_err(fail)?;
            if args.json {
                return Ok(to_json(&f));
            }
            for q in &f.questions {
                render::frequency(&instrument, q, args.lang, &mut out);
                out.push('\n');
            }
        }
        "nps" if args.by.is_some() => {
            let by = args.by.as_deref().unwrap_or_default();
            let segments = scoring::nps_by(&instrument, &responses, by).map_err(fail)?;
            if args.json {
                return Ok(to_json(&segments));
            }
            render::nps_by(&instrument, &segments, args.lang, &mut out);
        }
        "nps" => {
            let n = scoring::nps(&instrument, &responses).map_err(fail)?;
            let Some(other) = &args.compare else {
                if args.json {
                    return Ok(to_json(&n));
                }
                render::nps(&instrument, &n, args.lang, &mut out);
                return Ok(out);
            };
            let m = scoring::nps(&instrument, &load(other)?).map_err(fail)?;
            let difference = scoring::nps_difference(&n, &m);
            if args.json {
                return Ok(to_json(
                    &serde_json::json!({ "a": n, "b": m, "difference": difference }),
                ));
            }
            render::nps_compare(
                &instrument,
                [(&args.positional[0], &n), (other, &m)],
                difference.as_ref(),
                args.lang,
                &mut out,
            );
        }
        "drivers" => {
            return drivers::run(
                &instrument,
                &responses,
                args.target.as_deref(),
                args.items.as_deref(),
                args.seed,
                args.json,
                args.lang,
            );
        }
        "trend" => {
            return trend::run(
                &instrument,
                &responses,
                args.date_column.as_deref(),
                args.period.as_deref(),
                args.json,
                args.lang,
            );
        }
        "crosstab" => {
            let list = |arg: &str| -> Vec<String> {
                arg.split(',')
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty())
                    .collect()
            };
            let (rows, cols) = (list(&args.positional[1]), list(&args.positional[2]));
            if rows.len() * cols.len() == 1 {
                let t = crosstab(&instrument, &responses, &rows[0], &cols[0]).map_err(fail)?;
                if args.json {
                    return Ok(to_json(&t));
                }
                render::crosstab(&instrument, &t, args.lang, &mut out);
            } else {
                let tables =
                    crosstabs_where(&instrument, &responses, &rows, &cols, None).map_err(fail)?;
                if args.json {
                    return Ok(to_json(&tables));
                }
                for (k, t) in tables.iter().enumerate() {
                    if k > 0 {
                        out.push('\n');
                    }
                    render::crosstab(&instrument, t, args.lang, &mut out);
                }
            }
        }
        _ => {
            let r = manyi::report::report(&instrument, &responses).map_err(fail)?;
            if args.json {
                return Ok(to_json(&r));
            }
            render::report(&instrument, &r, args.lang, &mut out);
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("manyi: internal error ({info}); please report it with the file that caused it");
    }));
    let outcome = match parse_args(std::env::args().skip(1)) {
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Some(args)) => run(args),
        Err(f) => Err(f),
    };
    match outcome {
        Ok(text) => {
            // A closed pipe (`manyi report x.csv | head`) is not an error worth a message.
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("manyi: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Input(msg)) => {
            eprintln!("manyi: {msg}");
            ExitCode::from(1)
        }
    }
}
