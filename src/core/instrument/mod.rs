//! Instruments: the questionnaire as data.
//!
//! An instrument is a JSON file with an `id`, a `version`, bilingual texts and
//! its questions. Two kinds of question exist:
//! - `single`: one answer out of options lettered `A`, `B`, … as printed on the
//!   paper form (at most 26);
//! - `scale`: one whole number from `min` to `max` (Q17's 0–10).
//!
//! Answers are stored as one small code per question: the option's index for
//! `single` (A = 0), `value − min` for `scale`, and [`MISSING`] when the
//! question was not answered. Two roles can be given to questions: the
//! `satisfaction` items (single-choice, options ordered best first, scored
//! k … 1 for k options, so A = 3 on a 3-point item) and the `nps` question
//! (a 0–10 scale).
//!
//! Follow-up rules (`follow_up`) say which customers the branch calls back:
//! `{"id", "question", "options", "label"}` marks detractors who gave one of
//! those answers; `{"id", "label", "when": {"all" | "any": [condition…]}}`
//! flags any response meeting the condition tree (answers, NPS groups, score
//! ranges, nested lists; see [`Condition`]). `follow_up_due_days` (default
//! [`DEFAULT_DUE_DAYS`]) is how many working days a follow-up case is due in.
//!
//! `revises` lists earlier versions this one corrects in its wording only
//! (same questions, options and rules): their responses are kept, counted and
//! exported as this version's ([`Instrument::revises`]). The built-in
//! instrument's version 2 revises version 1, whose English questions lacked
//! their question marks.
//!
//! A question may be `"required": true`: the survey refuses to submit without
//! it. `"callback": true` on the instrument offers customers an optional
//! call-back contact field after the last question; it is off by default.
//!
//! Sizes are bounded, so that no file — typed, imported or inside a backup —
//! can make a report allocate without limit (the scale's k × k matrix, a
//! cross-tab per pair of questions): at most [`MAX_QUESTIONS`] (200) questions;
//! 2 to 26 options per single-choice question and at most 101 points per
//! scale; at most [`MAX_QUESTIONS`] satisfaction items and [`MAX_FOLLOW_UP`]
//! (50) follow-up rules of at most 101 answers each; ids and the version at
//! most [`MAX_NAME`] (64) characters; every text and label at most
//! [`MAX_TEXT`] (2,000) characters. Each breach is refused with its JSON path.
//!
//! The built-in instrument (the 17-question ZG bank X branch questionnaire) is
//! compiled in from `instruments/zg-x-branch-2023.json`; any other instrument
//! of the same kinds loads with [`Instrument::from_json`], and a malformed one is
//! refused with the line and column, or the JSON path, of each problem.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::responses::Responses;

mod validate;
use validate::validate;

/// The code of an unanswered question.
pub const MISSING: u8 = u8::MAX;

/// The most questions an instrument may have.
pub const MAX_QUESTIONS: usize = 200;

/// The most follow-up rules an instrument may have.
pub const MAX_FOLLOW_UP: usize = 50;

/// The most characters of an id (instrument, question, follow-up rule) or a version.
pub const MAX_NAME: usize = 64;

/// The most characters of a text: a title, a question, a label (per language).
pub const MAX_TEXT: usize = 2_000;

/// The most answers a question has (a 0–100 scale), hence the most options a
/// follow-up rule can list.
const MAX_ANSWERS: usize = 101;

/// The text of the built-in instrument.
pub const BUILTIN_JSON: &str = include_str!("../../../instruments/zg-x-branch-2023.json");

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Parses `zh`, `zh-CN`, `zh_CN`, `en`, `en-US`, … (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::ZhCn)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A text in Simplified Chinese and, optionally, English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    /// English; the Chinese text stands in where it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// The text in `lang`, falling back to Chinese.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) => en,
            _ => &self.zh_cn,
        }
    }
}

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// One of several lettered options.
    Single,
    /// A whole number from `min` to `max`.
    Scale,
}

/// One option of a single-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The letter printed on the paper form: `A`, `B`, …
    pub code: String,
    /// What the option says.
    pub label: Text,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A question, as written in the instrument file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question's id, also its CSV column name (`q1` …).
    pub id: String,
    /// Single choice or scale.
    pub kind: QuestionKind,
    /// The question as asked.
    pub text: Text,
    /// The options of a single-choice question, in the order printed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// The lowest value of a scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u8>,
    /// The highest value of a scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u8>,
    /// What the lowest value of a scale means ("not at all likely").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_label: Option<Text>,
    /// What the highest value of a scale means ("extremely likely").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_label: Option<Text>,
    /// Whether a response must answer it (checked by the survey, not by imports).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
}

impl Question {
    /// How many distinct answers the question has (codes `0..len`).
    pub fn len(&self) -> usize {
        match self.kind {
            QuestionKind::Single => self.options.len(),
            QuestionKind::Scale => usize::from(self.max_value() - self.min_value()) + 1,
        }
    }

    /// Whether the question has no possible answers (never true once validated).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn min_value(&self) -> u8 {
        self.min.unwrap_or(0)
    }

    fn max_value(&self) -> u8 {
        self.max.unwrap_or(0)
    }

    /// The text written in a CSV file for `code`: the option letter, or the
    /// scale value; empty for [`MISSING`] or a code out of range.
    pub fn code_text(&self, code: u8) -> String {
        if usize::from(code) >= self.len() {
            return String::new();
        }
        match self.kind {
            QuestionKind::Single => self.options[usize::from(code)].code.clone(),
            QuestionKind::Scale => (u16::from(code) + u16::from(self.min_value())).to_string(),
        }
    }

    /// The label shown for `code` in `lang`: the option's text, or the value.
    pub fn code_label(&self, code: u8, lang: Lang) -> String {
        match self.kind {
            QuestionKind::Single => self
                .options
                .get(usize::from(code))
                .map(|o| o.label.get(lang).to_owned())
                .unwrap_or_default(),
            QuestionKind::Scale => self.code_text(code),
        }
    }

    /// What an answer to this question may be, language-neutral: the option
    /// letters ("A B C D E") or the scale's range ("0–10").
    pub fn expected(&self) -> String {
        match self.kind {
            QuestionKind::Single => self
                .options
                .iter()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            QuestionKind::Scale => format!("{}–{}", self.min_value(), self.max_value()),
        }
    }

    /// Reads one answer as written in a CSV file or typed by staff: an option
    /// letter (any case) or a whole number on the scale; surrounding spaces are
    /// ignored and an empty answer is [`MISSING`]. On failure, the problem code
    /// and a sentence saying what was expected.
    pub fn parse_answer(&self, text: &str) -> Result<u8, (ProblemCode, String)> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(MISSING);
        }
        match self.kind {
            // The fast path: one letter, the option at its place in the alphabet.
            QuestionKind::Single
                if t.len() == 1
                    && self
                        .options
                        .get(usize::from(
                            t.as_bytes()[0].to_ascii_uppercase().wrapping_sub(b'A'),
                        ))
                        .is_some_and(|o| {
                            o.code.as_bytes() == [t.as_bytes()[0].to_ascii_uppercase()]
                        }) =>
            {
                Ok(t.as_bytes()[0].to_ascii_uppercase() - b'A')
            }
            // The letter, or (for labelled exports read back) the option's text.
            QuestionKind::Single => self
                .options
                .iter()
                .position(|o| o.code.eq_ignore_ascii_case(t))
                .or_else(|| {
                    self.options
                        .iter()
                        .position(|o| o.label.zh_cn == t || o.label.en.as_deref() == Some(t))
                })
                .and_then(|i| u8::try_from(i).ok())
                .ok_or_else(|| {
                    let letters: Vec<&str> = self.options.iter().map(|o| o.code.as_str()).collect();
                    (
                        ProblemCode::UnknownOption,
                        format!(
                            "not an option of {}; expected one of {}",
                            self.id,
                            letters.join(" ")
                        ),
                    )
                }),
            QuestionKind::Scale => {
                let (lo, hi) = (self.min_value(), self.max_value());
                let digits = t.strip_prefix('+').unwrap_or(t);
                let unsigned = digits.strip_prefix('-').unwrap_or(digits);
                if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                    return Err((
                        ProblemCode::NotAnInteger,
                        format!("{} takes a whole number from {lo} to {hi}", self.id),
                    ));
                }
                let out_of_range = || {
                    (
                        ProblemCode::OutOfRange,
                        format!("outside {}'s scale of {lo} to {hi}", self.id),
                    )
                };
                let v: u32 = unsigned.parse().map_err(|_| out_of_range())?;
                if digits.starts_with('-') && v != 0 {
                    return Err(out_of_range());
                }
                if v < u32::from(lo) || v > u32::from(hi) {
                    return Err(out_of_range());
                }
                u8::try_from(v - u32::from(lo)).map_err(|_| out_of_range())
            }
        }
    }
}

/// An instrument file, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentFile {
    id: String,
    version: String,
    title: Text,
    questions: Vec<Question>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    satisfaction: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nps: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    callback: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    follow_up: Vec<FollowUpRuleFile>,
    // Last, and left out when absent: instruments written before it keep
    // their canonical JSON, hence their fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    follow_up_due_days: Option<u8>,
    // Last too, for the same reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    revises: Vec<String>,
}

/// A follow-up rule as written. The first form, `question` and `options`,
/// means "a detractor who gave one of `options` to `question`"; the second,
/// `when`, is a condition tree (see [`Condition`]) that flags any response
/// meeting it, detractor or not. Fields absent are left out when written, so
/// an instrument of the first form keeps its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpRuleFile {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    when: Option<serde_json::Value>,
}

/// The deepest a follow-up rule's condition tree may nest (`all` in `any` in `all`).
pub const MAX_CONDITION_DEPTH: usize = 3;

/// The most conditions one `all` or `any` list may hold.
pub const MAX_CONDITIONS: usize = 50;

/// The working days a follow-up case is due in when the instrument does not
/// say (`follow_up_due_days`).
pub const DEFAULT_DUE_DAYS: u8 = 2;

/// The most earlier versions one instrument may list in `revises`.
pub const MAX_REVISES: usize = 20;

/// The most working days an instrument may give for a follow-up case.
pub const MAX_DUE_DAYS: u8 = 60;

/// A follow-up rule's condition, compiled: every leaf is "the answer to
/// question q is one of these codes", whatever it was written as —
/// `{"question", "options"}` (those options), `{"nps_group": "detractor"}`
/// (0–6 on the NPS question; passive 7–8, promoter 9–10) or `{"question",
/// "min", "max"}` (a score range: the value of a scale question, the score
/// k … 1 of a satisfaction item with k options). An unanswered question meets
/// no leaf. `all` holds when every condition in it does, `any` when one does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
    /// The answer to `question` is a code `c` with `allowed[c]`.
    Answer {
        /// The question's index.
        question: usize,
        /// Per answer code: whether it meets the condition.
        allowed: Vec<bool>,
    },
}

impl Condition {
    /// Whether each row of `responses` meets the condition (1) or not (0), a
    /// column at a time (an unanswered question meets no answer condition).
    pub fn rows(&self, responses: &Responses) -> Vec<u8> {
        match self {
            Condition::All(all) => {
                let mut out = vec![1; responses.len()];
                for c in all {
                    for (o, m) in out.iter_mut().zip(c.rows(responses)) {
                        *o &= m;
                    }
                }
                out
            }
            Condition::Any(any) => {
                let mut out = vec![0; responses.len()];
                for c in any {
                    for (o, m) in out.iter_mut().zip(c.rows(responses)) {
                        *o |= m;
                    }
                }
                out
            }
            Condition::Answer { question, allowed } => {
                let mut meets = [0u8; 256];
                for (m, &a) in meets.iter_mut().zip(allowed) {
                    *m = u8::from(a);
                }
                meets[usize::from(MISSING)] = 0;
                responses
                    .column(*question)
                    .iter()
                    .map(|&c| meets[usize::from(c)])
                    .collect()
            }
        }
    }
}

/// A follow-up rule: a response meeting `when` is flagged `id` (e.g.
/// "no-manager": Q10 B or C). A rule of the first form (`question` and
/// `options`) flags detractors only, as it always has: `detractors_only`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRule {
    /// The rule's id, a short name.
    pub id: String,
    /// What the rule means, for people.
    pub label: Text,
    /// The condition a response meets.
    pub when: Condition,
    /// Whether only detractors are flagged by it (the first form).
    pub detractors_only: bool,
}

/// A validated instrument. Build it with [`Instrument::from_json`] or
/// [`Instrument::builtin`]; it serializes back to the same JSON format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    file: InstrumentFile,
    satisfaction: Vec<usize>,
    nps: Option<usize>,
    follow_up: Vec<FollowUpRule>,
    index: HashMap<String, usize>,
}

impl Serialize for Instrument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.file.serialize(s)
    }
}

impl Instrument {
    /// The built-in 17-question instrument.
    pub fn builtin() -> Instrument {
        // The file is part of the crate and checked by the tests; a failure here
        // is a build defect, not a user error.
        Instrument::from_json(BUILTIN_JSON).expect("the built-in instrument is valid")
    }

    /// Loads and checks an instrument from JSON text.
    ///
    /// ```
    /// let bad = manyi::Instrument::from_json(r#"{"id": "x"}"#).unwrap_err();
    /// assert!(bad.to_string().contains("line 1"));
    /// ```
    pub fn from_json(text: &str) -> Result<Instrument> {
        let file: InstrumentFile = serde_json::from_str(text).map_err(|e| {
            let mut p = Problem::new(ProblemCode::Json, e.to_string());
            if e.line() > 0 {
                p = p.at_line(e.line());
                p.column = Some(e.column());
            }
            Error::single(ErrorKind::Instrument, p)
        })?;
        validate(file)
    }

    /// The instrument as pretty-printed JSON, in the format it loads from.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.file).unwrap_or_default()
    }

    /// The instrument's id.
    pub fn id(&self) -> &str {
        &self.file.id
    }

    /// The instrument's version.
    pub fn version(&self) -> &str {
        &self.file.version
    }

    /// The earlier versions this one revises in its texts only (`revises`):
    /// their responses are this version's responses (see [`Instrument::revises`]).
    pub fn revised_versions(&self) -> &[String] {
        &self.file.revises
    }

    /// Whether this instrument is a text revision of `older`: the same id,
    /// `older`'s version listed in `revises`, and the same questions, options,
    /// scales, NPS and satisfaction questions and follow-up rules, only their
    /// wording changed (a corrected translation, a question mark). A response
    /// to `older` then reads the same under this one, so the device keeps
    /// both versions' responses together under this one. Any other change
    /// needs a new version that does not list the old one, and its responses
    /// are kept apart.
    pub fn revises(&self, older: &Instrument) -> bool {
        self.id() == older.id()
            && self.file.revises.iter().any(|v| v == older.version())
            && self.shape() == older.shape()
    }

    /// The file with every text emptied, and no version: what a text revision keeps.
    fn shape(&self) -> InstrumentFile {
        let blank = |t: &mut Text| {
            t.zh_cn.clear();
            t.en = None;
        };
        let mut f = self.file.clone();
        f.version.clear();
        f.revises.clear();
        blank(&mut f.title);
        for q in &mut f.questions {
            blank(&mut q.text);
            q.options.iter_mut().for_each(|o| blank(&mut o.label));
            q.min_label
                .iter_mut()
                .chain(q.max_label.iter_mut())
                .for_each(blank);
        }
        f.follow_up.iter_mut().for_each(|r| blank(&mut r.label));
        f
    }

    /// The instrument's title.
    pub fn title(&self) -> &Text {
        &self.file.title
    }

    /// Whether the survey offers the optional call-back contact field (name and
    /// phone, kept only with the person's explicit consent). Off unless the
    /// instrument says `"callback": true`.
    pub fn callback(&self) -> bool {
        self.file.callback
    }

    /// The follow-up rules that flag responses on the follow-up list.
    pub fn follow_up(&self) -> &[FollowUpRule] {
        &self.follow_up
    }

    /// The working days a follow-up case is due in (`follow_up_due_days`,
    /// [`DEFAULT_DUE_DAYS`] when the instrument does not say).
    pub fn follow_up_due_days(&self) -> u8 {
        self.file.follow_up_due_days.unwrap_or(DEFAULT_DUE_DAYS)
    }

    /// The questions in order.
    pub fn questions(&self) -> &[Question] {
        &self.file.questions
    }

    /// The index of the question with this id (ids match case-insensitively).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(&id.trim().to_ascii_lowercase()).copied()
    }

    /// The question with this id, or a [`ErrorKind::Request`] error naming it.
    pub fn question(&self, id: &str) -> Result<(usize, &Question)> {
        match self.position(id) {
            Some(i) => Ok((i, &self.file.questions[i])),
            None => {
                let ids: Vec<&str> = self.file.questions.iter().map(|q| q.id.as_str()).collect();
                Err(Error::single(
                    ErrorKind::Request,
                    Problem::new(
                        ProblemCode::UnknownName,
                        format!("no such question; this instrument has {}", ids.join(" ")),
                    )
                    .with_value(id),
                ))
            }
        }
    }

    /// The indices of the satisfaction items, in the order given.
    pub fn satisfaction(&self) -> &[usize] {
        &self.satisfaction
    }

    /// The index of the NPS question, if the instrument has one.
    pub fn nps(&self) -> Option<usize> {
        self.nps
    }
}

#[cfg(test)]
mod tests;
