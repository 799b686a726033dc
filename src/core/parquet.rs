//! Parquet files, for the head office's tools (pandas, DuckDB, Spark).
//!
//! The rules of the export:
//! - One column per column of the file, in the file's order, named as in the
//!   file: `id`, the questions, the extra columns.
//! - A single-choice question is a string column of option letters (`A`, `B`,
//!   …), dictionary-encoded; a scale question (the NPS question's 0–10) is an
//!   integer column of its values, int8 when the scale fits (−128 … 127),
//!   else int16. `id` and extra columns are strings.
//! - Not answered is null; an empty text in an extra column is null too. Every
//!   answer column is nullable (only `id` is required), so a question nobody
//!   answered is still a string or integer column of nulls, never a column
//!   of Arrow's null type.
//! - The file's key-value metadata holds `instrument_id` and
//!   `instrument_version`.
//! - No compression (dictionary encoding already makes a column of letters
//!   about a byte per answer), in row groups of at most [`ROW_GROUP`] rows.
//!
//! Written with the Apache `parquet` crate's column writers (no Arrow).

use std::sync::Arc;

use ::parquet::basic::{IntType, LogicalType, Repetition, Type as PhysicalType};
use ::parquet::data_type::{ByteArray, ByteArrayType, Int32Type};
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::types::Type;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, QuestionKind, MISSING};
use crate::responses::{Responses, Slot};

/// The most rows in one row group.
pub const ROW_GROUP: usize = 1 << 20;

/// A failure of the Parquet writer: a defect, not a person's mistake, but
/// reported as an error rather than a panic.
fn failed(e: ::parquet::errors::ParquetError) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(
            ProblemCode::Unreadable,
            format!("the Parquet file could not be written: {e}"),
        ),
    )
}

/// Writes the responses as a Parquet file (module docs).
///
/// ```
/// use manyi::{Instrument, Responses};
/// let inst = Instrument::builtin();
/// let responses = manyi::generate::generate(&inst, 3, 1).unwrap();
/// let file = manyi::parquet::to_parquet(&inst, &responses).unwrap();
/// assert_eq!((&file[..4], &file[file.len() - 4..]), (&b"PAR1"[..], &b"PAR1"[..]));
/// ```
pub fn to_parquet(instrument: &Instrument, responses: &Responses) -> Result<Vec<u8>> {
    responses.check_instrument(instrument)?;
    let qs = instrument.questions();
    let text = |name: &str, repetition| {
        Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
            .with_repetition(repetition)
            .with_logical_type(Some(LogicalType::String))
            .build()
    };
    let fields = responses
        .layout
        .iter()
        .map(|slot| {
            let field = match *slot {
                Slot::Id => text("id", Repetition::REQUIRED),
                Slot::Extra(e) => text(&responses.extras[e].name, Repetition::OPTIONAL),
                Slot::Question(q) if qs[q].kind == QuestionKind::Single => {
                    text(&qs[q].id, Repetition::OPTIONAL)
                }
                Slot::Question(q) => {
                    let bits = if qs[q].max.unwrap_or(0) <= 127 { 8 } else { 16 };
                    Type::primitive_type_builder(&qs[q].id, PhysicalType::INT32)
                        .with_repetition(Repetition::OPTIONAL)
                        .with_logical_type(Some(LogicalType::Integer(IntType {
                            bit_width: bits,
                            is_signed: true,
                        })))
                        .build()
                }
            };
            field.map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let schema = Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map_err(failed)?;
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![
            KeyValue::new("instrument_id".into(), instrument.id().to_owned()),
            KeyValue::new("instrument_version".into(), instrument.version().to_owned()),
        ]))
        .set_created_by(format!("manyi {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer =
        SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(props)).map_err(failed)?;
    // Each option's letter, made once and shared by every row.
    let letters: Vec<Vec<ByteArray>> = qs
        .iter()
        .map(|q| {
            q.options
                .iter()
                .map(|o| ByteArray::from(o.code.as_str()))
                .collect()
        })
        .collect();
    let n = responses.len();
    let mut start = 0;
    // An empty file still has its columns (and one empty row group).
    while start < n || (n == 0 && start == 0) {
        let end = (start + ROW_GROUP).min(n);
        let rows = start..end;
        let mut group = writer.next_row_group().map_err(failed)?;
        let mut slots = responses.layout.iter();
        while let Some(mut column) = group.next_column().map_err(failed)? {
            let Some(&slot) = slots.next() else { break };
            match slot {
                Slot::Id => {
                    let values: Vec<ByteArray> = rows
                        .clone()
                        .map(|r| ByteArray::from(&responses.ids[r]))
                        .collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, None, None)
                        .map_err(failed)?;
                }
                Slot::Extra(e) => {
                    let col = &responses.extras[e].values;
                    let (distinct, _) = col.parts();
                    let shared: Vec<ByteArray> = distinct
                        .iter()
                        .map(|s| ByteArray::from(s.as_str()))
                        .collect();
                    let (_, index) = col.parts();
                    let mut values = Vec::with_capacity(rows.len());
                    let mut levels = Vec::with_capacity(rows.len());
                    for i in rows.clone().map(|r| index.get(r)) {
                        let v = &shared[i as usize];
                        let present = !v.is_empty();
                        levels.push(i16::from(present));
                        if present {
                            values.push(v.clone());
                        }
                    }
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, Some(&levels), None)
                        .map_err(failed)?;
                }
                Slot::Question(q) => {
                    let codes = &responses.answers[q][rows.clone()];
                    let levels: Vec<i16> = codes.iter().map(|&c| i16::from(c != MISSING)).collect();
                    let answered = codes.iter().filter(|&&c| c != MISSING);
                    if qs[q].kind == QuestionKind::Single {
                        let values: Vec<ByteArray> = answered
                            .map(|&c| letters[q][usize::from(c)].clone())
                            .collect();
                        column
                            .typed::<ByteArrayType>()
                            .write_batch(&values, Some(&levels), None)
                            .map_err(failed)?;
                    } else {
                        let min = i32::from(qs[q].min.unwrap_or(0));
                        let values: Vec<i32> = answered.map(|&c| min + i32::from(c)).collect();
                        column
                            .typed::<Int32Type>()
                            .write_batch(&values, Some(&levels), None)
                            .map_err(failed)?;
                    }
                }
            }
            column.close().map_err(failed)?;
        }
        group.close().map_err(failed)?;
        if n == 0 {
            break;
        }
        start = end;
    }
    writer.into_inner().map_err(failed)
}
