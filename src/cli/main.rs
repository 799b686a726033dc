//! `manyi`: the analysts' command-line tool over the same core as the page.
//!
//! Human-readable tables by default (Simplified Chinese; `--lang en` for
//! English), JSON with `--json`. Exit 0 on success, 1 when the input is bad
//! (every problem on stderr), 2 when the command line is wrong.

mod render;

use std::io::{Read, Write};
use std::process::ExitCode;

use manyi::{scoring, Instrument, Lang, Responses};

const USAGE: &str = "\
manyi — survey and NPS scoring (满意)

Usage:
  manyi freq FILE.csv      frequency table of every question
  manyi nps FILE.csv       Net Promoter Score
  manyi report FILE.csv    everything: NPS, satisfaction, frequencies
  manyi instrument         print the instrument (JSON) — a template for your own

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
enum Failure {
    Usage(String),
    Input(String),
}

struct Args {
    command: String,
    file: Option<String>,
    json: bool,
    lang: Lang,
    instrument: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, Failure> {
    let mut command = None;
    let mut file = None;
    let mut json = false;
    let mut lang = Lang::ZhCn;
    let mut instrument = None;
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
            s if s.starts_with("--") => return Err(Failure::Usage(format!("unknown option {s}"))),
            _ if command.is_none() => command = Some(a),
            _ if file.is_none() => file = Some(a),
            _ => return Err(Failure::Usage(format!("unexpected argument {a:?}"))),
        }
    }
    let Some(command) = command else {
        return Ok(None);
    };
    Ok(Some(Args {
        command,
        file,
        json,
        lang,
        instrument,
    }))
}

fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
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
    if !matches!(args.command.as_str(), "freq" | "nps" | "report") {
        return Err(Failure::Usage(format!(
            "unknown command {:?}",
            args.command
        )));
    }
    let path = args
        .file
        .as_deref()
        .ok_or_else(|| Failure::Usage(format!("{} needs a CSV file", args.command)))?;
    let bytes = read_input(path)?;
    let responses = Responses::from_csv(&instrument, &bytes)
        .map_err(|e| Failure::Input(format!("{path}: {e}")))?;
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
        "nps" => {
            let n = scoring::nps(&instrument, &responses).map_err(fail)?;
            if args.json {
                return Ok(to_json(&n));
            }
            render::nps(&instrument, &n, args.lang, &mut out);
        }
        _ => {
            let r = scoring::report(&instrument, &responses).map_err(fail)?;
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
