//! manyi (满意): survey and Net Promoter Score scoring.
//!
//! The pure core of manyi: instruments ([`Instrument`]), the columnar response
//! store with CSV import and export ([`Responses`]), and scoring ([`scoring`]).
//! The same core runs natively (the `manyi` command-line tool, src/cli) and in
//! the browser through the WebAssembly boundary (the `manyi-wasm` crate,
//! src/wasm), the only crate that knows about JavaScript. This crate knows
//! neither.
//!
//! ```
//! use manyi::{Instrument, Responses, scoring};
//! let inst = Instrument::builtin();
//! let csv = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n\
//!            r1,A,B,C,D,E,A,B,C,D,A,B,A,B,C,A,B,9\n";
//! let responses = Responses::from_csv(&inst, csv.as_bytes()).unwrap();
//! let nps = scoring::nps(&inst, &responses).unwrap();
//! assert_eq!((nps.n, nps.promoters, nps.nps), (1, 1, Some(100.0)));
//! ```

pub mod backup;
pub mod cases;
pub mod column;
pub mod count;
pub mod crosstab;
pub mod csv;
pub mod date;
pub mod double_entry;
pub mod drivers;
pub mod error;
pub mod export;
pub mod filter;
pub mod followup;
pub mod form_id;
pub mod generate;
pub mod handoff;
pub mod import;
pub mod instrument;
pub mod lock;
pub mod merge;
pub mod sealed_backup;
// Parquet: always in the native build, in wasm only in the export add-on.
#[cfg(any(not(target_arch = "wasm32"), feature = "export"))]
pub mod parquet;
pub mod report;
pub mod responses;
pub mod sav;
pub mod scale;
pub mod scoring;
pub mod segments;
pub mod source;
pub mod stats;
pub mod store;
pub mod trend;
pub mod view;
pub mod xlsx;

pub use error::{Error, ErrorKind, Problem, ProblemCode, Result};
pub use filter::{Filter, Selection};
pub use followup::FollowUp;
pub use instrument::{Instrument, Lang, Question, QuestionKind, MISSING};
pub use responses::Responses;
