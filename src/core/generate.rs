//! Synthetic responses for benchmarks and demos: realistic, deterministic.
//!
//! Each respondent has a latent satisfaction `z ~ N(0, 1)`. The satisfaction
//! items (options ordered best first) are `z` plus item noise cut at thresholds
//! that give roughly the thesis's shares (about a quarter satisfied, a quarter
//! to a half dissatisfied); the NPS answer is `7.2 + 2.2·z` plus noise, rounded
//! and clipped to 0–10; having a relationship manager and being contacted often
//! go with a higher `z`. Other single-choice answers follow fixed, unequal
//! weights. About 3% of the cells of questions that are not required are left
//! unanswered. Extra columns: `mode` (paper about 60%) and `date` (a day of 2023).
//! The same seed gives the same responses, on every platform.
//!
//! At most [`MAX_RESPONSES`] (10 million, a few GB of memory on the way to a
//! CSV file) are made at once; more is a located error, not an abort, and the
//! buffers are reserved fallibly, so a machine without the memory gets an
//! error too.

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, QuestionKind, MISSING};
use crate::responses::Responses;

/// SplitMix64: a small, well-studied generator; plenty for synthetic data
/// (and for [`crate::drivers`]' bootstrap resamples).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// The same generator for rand_distr's distributions (the key drivers' binomial draws).
impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> std::result::Result<u32, Self::Error> {
        Ok((self.next() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> std::result::Result<u64, Self::Error> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// The most responses [`generate`] makes in one call.
pub const MAX_RESPONSES: usize = 10_000_000;

/// The error for a request of `n` responses that cannot be met: `why` says why.
fn too_many(n: usize, why: &str) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(
            ProblemCode::OutOfRange,
            format!("generate makes at most {MAX_RESPONSES} responses at a time{why}"),
        )
        .in_field("n")
        .with_value(n.to_string()),
    )
}

/// `n` synthetic responses to `instrument`, the same for the same `seed`; at
/// most [`MAX_RESPONSES`].
pub fn generate(instrument: &Instrument, n: usize, seed: u64) -> Result<Responses> {
    if n > MAX_RESPONSES {
        return Err(too_many(n, ""));
    }
    let mut rng = Rng(seed ^ 0x6D61_6E79_6921);
    let questions = instrument.questions();
    let q = questions.len();
    let satisfaction = instrument.satisfaction();
    let nps = instrument.nps();
    // Questions that "go with" satisfaction in the built-in instrument: q10 (has a
    // relationship manager, A = yes) and q11 (contact, A = regularly).
    let linked: Vec<usize> = ["q10", "q11"]
        .iter()
        .filter_map(|id| instrument.position(id))
        .collect();
    let (mut ids, mut codes, mut extras) = (Vec::new(), Vec::new(), Vec::new());
    let no_memory = |_| too_many(n, ", and this machine has not the memory for these");
    ids.try_reserve_exact(n).map_err(no_memory)?;
    codes.try_reserve_exact(n * q).map_err(no_memory)?;
    extras.try_reserve_exact(n * 2).map_err(no_memory)?;
    let width = n.to_string().len().max(6);
    for r in 0..n {
        let z = rng.normal();
        ids.push(format!("G{:0width$}", r + 1));
        for (i, question) in questions.iter().enumerate() {
            let code = if !question.required && rng.unit() < 0.03 {
                MISSING
            } else if Some(i) == nps {
                let lo = f64::from(question.min.unwrap_or(0));
                let hi = f64::from(question.max.unwrap_or(10));
                let v = (7.2 + 2.2 * z + 1.6 * rng.normal()).round().clamp(lo, hi);
                (v - lo) as u8
            } else if satisfaction.contains(&i) {
                // Best first: high z → option 0.
                let k = question.len();
                let x = -(0.9 * z + 0.6 * rng.normal());
                let step = 1.6 / (k as f64 - 1.0).max(1.0);
                let mut c = 0;
                while c + 1 < k && x > -0.65 + step * c as f64 {
                    c += 1;
                }
                c as u8
            } else if linked.contains(&i) {
                let k = question.len();
                let x = -0.8 * z + rng.normal();
                ((x + 1.2).max(0.0) * k as f64 / 2.8)
                    .floor()
                    .min(k as f64 - 1.0) as u8
            } else {
                match question.kind {
                    QuestionKind::Single => {
                        let weights: Vec<f64> = (0..question.len())
                            .map(|k| 1.0 / (1.0 + k as f64 * 0.35))
                            .collect();
                        rng.weighted(&weights) as u8
                    }
                    QuestionKind::Scale => (rng.next() % question.len() as u64) as u8,
                }
            };
            codes.push(code);
        }
        extras.push(if rng.unit() < 0.6 { "paper" } else { "online" }.to_owned());
        let day = rng.next() % 365;
        extras.push(date_of_2023(day as u32));
    }
    Responses::from_columns(instrument, &ids, &codes, &["mode", "date"], &extras)
}

/// The date of day `d` (0-based) of 2023, `YYYY-MM-DD`.
fn date_of_2023(mut d: u32) -> String {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while d >= DAYS[month] {
        d -= DAYS[month];
        month += 1;
    }
    format!("2023-{:02}-{:02}", month + 1, d + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring;

    #[test]
    fn the_same_seed_gives_the_same_responses() {
        let inst = Instrument::builtin();
        let a = generate(&inst, 500, 7).unwrap();
        assert_eq!(a, generate(&inst, 500, 7).unwrap());
        assert_ne!(a, generate(&inst, 500, 8).unwrap());
        assert_eq!(a.len(), 500);
        assert_eq!(date_of_2023(0), "2023-01-01");
        assert_eq!(date_of_2023(364), "2023-12-31");
    }

    #[test]
    fn too_many_is_an_error_naming_the_limit() {
        let inst = Instrument::builtin();
        for n in [MAX_RESPONSES + 1, 4_000_000_000, usize::MAX] {
            let e = generate(&inst, n, 1).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Request);
            let p = &e.problems()[0];
            assert_eq!(p.value.as_deref(), Some(n.to_string().as_str()));
            assert!(p.message.contains("at most 10000000 responses"), "{e}");
        }
        assert_eq!(generate(&inst, 0, 1).unwrap().len(), 0);
    }

    #[test]
    fn the_data_look_like_a_branch_survey() {
        let inst = Instrument::builtin();
        let r = generate(&inst, 20_000, 1).unwrap();
        // Some cells unanswered, but never the required NPS question.
        let q17 = inst.nps().unwrap();
        assert!(r.column(q17).iter().all(|&c| c != MISSING));
        let missing = r.column(1).iter().filter(|&&c| c == MISSING).count();
        assert!(
            (300..900).contains(&missing),
            "{missing} unanswered Q2 cells"
        );
        // NPS in a plausible band, and satisfied customers recommend more.
        let nps = scoring::nps(&inst, &r).unwrap().nps.unwrap();
        assert!((-40.0..30.0).contains(&nps), "NPS {nps}");
        let t = crate::crosstab::crosstab(&inst, &r, "q14", "q17").unwrap();
        assert!(
            t.test.independence.p.unwrap() < 1e-6,
            "satisfaction and NPS are related"
        );
        // Every option of every single-choice question occurs.
        let f = scoring::frequencies(&inst, &r).unwrap();
        assert!(f.questions.iter().all(|q| q.counts.iter().all(|&c| c > 0)));
    }
}
