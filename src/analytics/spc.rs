//! The SPC report of one numeric field: summary statistics, capability
//! against the field's rule, values out of range and the Western Electric
//! rules (centre line the mean, σ the sample standard deviation of the
//! values shown).

use super::spans;
use super::statistics::{
    capability, mean, rule_text as we_rule_text, sample_std_dev, western_electric, SpecLimits,
};
use crate::domain::{rule_text, verdict, FieldDef, RunId, Verdict};
use crate::store::{FieldPoint, FieldSeries};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    pub rule: u8,
    pub description: &'static str,
    /// The runs whose values broke it, oldest first.
    pub runs: Vec<RunId>,
}

/// Consecutive violations of one rule on one side, merged (see
/// `analytics::spans`): what the report prints, one line each.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ViolationSpan {
    pub rule: u8,
    /// `above` or `below` the mean.
    pub side: &'static str,
    /// First and last point of the span, numbered from 1 in `points`.
    pub first_point: usize,
    pub last_point: usize,
    pub first_run: RunId,
    pub last_run: RunId,
    /// The runs whose values are beyond the rule's zone in the span (every
    /// run of the span for rule 4), oldest first.
    pub runs: Vec<RunId>,
    /// How many single violations (entries of `violations`) it merges.
    pub merged: usize,
    /// "points 12–31: 20 in a row above the mean".
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpcReport {
    pub procedure: String,
    pub step: String,
    pub field: String,
    pub unit: Option<String>,
    /// The field's rule as people read it ("25.00 ± 0.05 mm"), empty for none.
    pub rule: String,
    pub n: usize,
    pub mean: Option<f64>,
    pub std_dev: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub lsl: Option<f64>,
    pub usl: Option<f64>,
    pub cp: Option<f64>,
    pub cpk: Option<f64>,
    pub out_of_range: usize,
    /// One entry per point that completes a rule's pattern (a long run
    /// repeats); kept for `--json` readers. `spans` merges them.
    pub violations: Vec<Violation>,
    pub spans: Vec<ViolationSpan>,
    pub points: Vec<FieldPoint>,
}

/// The specification limits a field's rule gives: the tighter of `min` and
/// `target − tolerance` below, of `max` and `target + tolerance` above.
pub fn spec_limits(def: &FieldDef) -> SpecLimits {
    let v = &def.validation;
    let band = v.target.map(|t| {
        let tol = v.tolerance.unwrap_or(0.0).abs();
        (t - tol, t + tol)
    });
    let tighter = |a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64| match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    };
    SpecLimits {
        lsl: tighter(v.min, band.map(|b| b.0), f64::max),
        usl: tighter(v.max, band.map(|b| b.1), f64::min),
    }
}

/// What a value being typed would break, judged against the mean and σ of
/// the field's recent values on other runs (`history`, oldest first): one
/// sentence per rule, e.g. "8th point in a row above the mean (rule 4)".
/// Nothing with fewer than two earlier values or no spread.
pub fn entry_warnings(history: &[f64], typed: f64) -> Vec<String> {
    let (Some(m), Some(s)) = (mean(history), sample_std_dev(history)) else {
        return Vec::new();
    };
    let mut values = history.to_vec();
    values.push(typed);
    let side = if typed > m { "above" } else { "below" };
    crate::analytics::statistics::violations_at_last(&values, m, s)
        .iter()
        .map(|v| match v.rule {
            1 => format!(
                "beyond 3σ {side} the mean of the last {} values (rule 1)",
                history.len()
            ),
            2 => format!("2 of 3 points in a row beyond 2σ {side} the mean (rule 2)"),
            3 => format!("4 of 5 points in a row beyond 1σ {side} the mean (rule 3)"),
            _ => format!(
                "{} point in a row {side} the mean (rule 4)",
                ordinal(run_length_at_end(&values, m))
            ),
        })
        .collect()
}

/// How many of the newest `values` in a row lie on the newest one's side of
/// `center` (the typed value counts): a run of 20 says "20th", not "8th".
fn run_length_at_end(values: &[f64], center: f64) -> usize {
    let Some(&newest) = values.last() else {
        return 0;
    };
    let side = (newest - center).signum();
    values
        .iter()
        .rev()
        .take_while(|&&x| side != 0.0 && (x - center).signum() == side)
        .count()
}

/// 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A statistic with four decimals, `-` for none.
pub fn number_text(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.4}")).unwrap_or_else(|| "-".into())
}

pub fn spc(procedure: &str, step: &str, field: &str, series: FieldSeries) -> SpcReport {
    let values: Vec<f64> = series.points.iter().map(|p| p.value).collect();
    let limits = series.def.as_ref().map(spec_limits).unwrap_or_default();
    let m = mean(&values);
    let s = sample_std_dev(&values);
    let cap = match (m, s) {
        (Some(m), Some(s)) => capability(limits, m, s),
        _ => Default::default(),
    };
    let out_of_range = series
        .def
        .as_ref()
        .map(|def| {
            values
                .iter()
                .filter(|v| verdict(def, **v) == Verdict::OutOfRange)
                .count()
        })
        .unwrap_or(0);
    let broken = match (m, s) {
        (Some(m), Some(s)) => western_electric(&values, m, s),
        _ => Vec::new(),
    };
    let run_at = |i: usize| series.points.get(i).map_or(0, |p| p.run);
    let violations = broken
        .iter()
        .map(|v| Violation {
            rule: v.rule,
            description: we_rule_text(v.rule),
            runs: v.points.iter().map(|&i| run_at(i)).collect(),
        })
        .collect();
    let spans = spans::merge(&broken, &values, m.unwrap_or_default())
        .iter()
        .map(|span| ViolationSpan {
            rule: span.rule,
            side: span.side,
            first_point: span.first + 1,
            last_point: span.last + 1,
            first_run: run_at(span.first),
            last_run: run_at(span.last),
            runs: span.points.iter().map(|&i| run_at(i)).collect(),
            merged: span.violations,
            text: spans::span_text(span),
        })
        .collect();
    SpcReport {
        procedure: procedure.to_string(),
        step: step.to_string(),
        field: field.to_string(),
        unit: series.def.as_ref().and_then(|d| d.unit.clone()),
        rule: series.def.as_ref().map(rule_text).unwrap_or_default(),
        n: values.len(),
        mean: m,
        std_dev: s,
        min: values.iter().copied().reduce(f64::min),
        max: values.iter().copied().reduce(f64::max),
        lsl: limits.lsl,
        usl: limits.usl,
        cp: cap.cp,
        cpk: cap.cpk,
        out_of_range,
        violations,
        spans,
        points: series.points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldType, Validation};

    fn def(validation: Validation) -> FieldDef {
        FieldDef {
            name: "Bore diameter".into(),
            field_type: FieldType::Number,
            required: true,
            unit: Some("mm".into()),
            validation,
            options: vec![],
            role: None,
        }
    }

    #[test]
    fn a_typed_value_is_warned_of_before_it_is_saved() {
        // History 1 2 1 2 1 2 1 2 1 2: mean 1.5, s = √(10 · 0.25 / 9) = 0.527.
        let history = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        // 1.5 + 3 · 0.527 = 3.08: 3.5 is beyond it.
        assert_eq!(
            entry_warnings(&history, 3.5),
            ["beyond 3σ above the mean of the last 10 values (rule 1)"]
        );
        assert!(entry_warnings(&history, 1.6).is_empty());
        // Seven above the mean (1.6 ... ), then an eighth typed.
        let mut rising = vec![1.0, 1.0, 1.0];
        rising.extend([1.6; 7]);
        let w = entry_warnings(&rising, 1.6);
        assert!(
            w.contains(&"8th point in a row above the mean (rule 4)".to_string()),
            "{w:?}"
        );
        // A longer run names its length: three below, twelve above, one typed.
        let mut long = vec![1.0, 1.0, 1.0];
        long.extend([1.6; 12]);
        let w = entry_warnings(&long, 1.6);
        assert!(
            w.contains(&"13th point in a row above the mean (rule 4)".to_string()),
            "{w:?}"
        );
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 22, 111].map(ordinal),
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th"]
        );
        assert!(
            entry_warnings(&[1.0], 9.0).is_empty(),
            "one earlier value: no σ"
        );
        assert!(entry_warnings(&[1.0, 1.0], 9.0).is_empty(), "no spread");
    }

    #[test]
    fn limits_come_from_target_and_tolerance_or_min_and_max_whichever_is_tighter() {
        let tol = def(Validation {
            target: Some(25.0),
            tolerance: Some(0.05),
            ..Default::default()
        });
        let l = spec_limits(&tol);
        assert!((l.lsl.unwrap_or_default() - 24.95).abs() < 1e-12);
        assert!((l.usl.unwrap_or_default() - 25.05).abs() < 1e-12);
        let both = def(Validation {
            min: Some(24.97),
            max: Some(26.0),
            target: Some(25.0),
            tolerance: Some(0.05),
        });
        let l = spec_limits(&both);
        assert_eq!(l.lsl, Some(24.97));
        assert!((l.usl.unwrap_or_default() - 25.05).abs() < 1e-12);
        let min_only = def(Validation {
            min: Some(10.0),
            ..Default::default()
        });
        assert_eq!(
            spec_limits(&min_only),
            SpecLimits {
                lsl: Some(10.0),
                usl: None
            }
        );
        assert_eq!(
            spec_limits(&def(Validation::default())),
            SpecLimits::default()
        );
    }
}
