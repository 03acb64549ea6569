//! Pure statistics for the reports: order statistics, mean and sample
//! standard deviation, process capability and the Western Electric rules.
//!
//! Definitions (the README repeats them):
//! - **median**: the textbook median — the middle value of the sorted data,
//!   or the mean of the two middle values when their count is even.
//! - **percentile p** (p90): *nearest rank* — the value at rank ⌈p/100 · n⌉
//!   (1-based) of the sorted data; always one of the observed values.
//! - **standard deviation**: the sample one, √(Σ(x − x̄)² / (n − 1)); none below two values.
//! - **Cp** = (USL − LSL) / 6s; **Cpk** = min(USL − x̄, x̄ − LSL) / 3s, or the
//!   one side that exists when only one limit does.

use serde::Serialize;

/// The textbook median; `None` for no data.
pub fn median(values: &[f64]) -> Option<f64> {
    let sorted = sorted(values);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The nearest-rank percentile (`p` in 0..=100); `None` for no data.
pub fn percentile_nearest_rank(values: &[f64], p: f64) -> Option<f64> {
    let sorted = sorted(values);
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The mean, summed as differences from the first value: equal values give
/// exactly that value (no rounding residue that would read as a spread),
/// and close values keep their precision.
pub fn mean(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    let offset: f64 = values.iter().map(|x| x - first).sum::<f64>() / values.len() as f64;
    Some(first + offset)
}

/// The sample standard deviation (n − 1 in the denominator).
pub fn sample_std_dev(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    // Shifted by the first value, so equal values give exactly zero.
    let first = values[0];
    let shifted: Vec<f64> = values.iter().map(|x| x - first).collect();
    let m = mean(&shifted)?;
    let squares: f64 = shifted.iter().map(|x| (x - m).powi(2)).sum();
    Some((squares / (values.len() - 1) as f64).sqrt())
}

/// Specification limits of a numeric field; either may be missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SpecLimits {
    pub lsl: Option<f64>,
    pub usl: Option<f64>,
}

/// Cp and Cpk of a process with mean `m` and standard deviation `s`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Capability {
    /// Needs both limits.
    pub cp: Option<f64>,
    /// Both limits: the nearer side; one limit: that side.
    pub cpk: Option<f64>,
}

pub fn capability(limits: SpecLimits, m: f64, s: f64) -> Capability {
    if s <= 0.0 || !s.is_finite() {
        return Capability::default();
    }
    let upper = limits.usl.map(|u| (u - m) / (3.0 * s));
    let lower = limits.lsl.map(|l| (m - l) / (3.0 * s));
    let cp = match (limits.lsl, limits.usl) {
        (Some(l), Some(u)) => Some((u - l) / (6.0 * s)),
        _ => None,
    };
    let cpk = match (lower, upper) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Capability { cp, cpk }
}

/// One Western Electric rule broken: the rule (1–4) and the indexes (into
/// the series, oldest first) of the points of the window that broke it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleViolation {
    pub rule: u8,
    pub points: Vec<usize>,
}

/// What each rule says, for output.
pub fn rule_text(rule: u8) -> &'static str {
    match rule {
        1 => "one point beyond 3σ",
        2 => "2 of 3 points in a row beyond 2σ on one side",
        3 => "4 of 5 points in a row beyond 1σ on one side",
        _ => "8 points in a row on one side of the mean",
    }
}

/// The Western Electric rules 1–4 over `values` (oldest first), against the
/// centre line `center` and standard deviation `sigma`:
/// 1. one point beyond 3σ;
/// 2. two of three consecutive points beyond 2σ, on the same side;
/// 3. four of five consecutive points beyond 1σ, on the same side;
/// 4. eight consecutive points on the same side of the centre.
///
/// A violation is reported at the point that completes its pattern (that
/// point is itself beyond the zone), with the window's points that are
/// beyond it; a long run of eight reports once per new point.
pub fn western_electric(values: &[f64], center: f64, sigma: f64) -> Vec<RuleViolation> {
    let mut out = Vec::new();
    if sigma <= 0.0 || !sigma.is_finite() {
        return out;
    }
    let z: Vec<f64> = values.iter().map(|x| (x - center) / sigma).collect();
    for i in 0..z.len() {
        if z[i].abs() > 3.0 {
            out.push(RuleViolation {
                rule: 1,
                points: vec![i],
            });
        }
        for (rule, window, needed, zone) in [(2u8, 3usize, 2usize, 2.0), (3, 5, 4, 1.0)] {
            let side = z[i].signum();
            if z[i].abs() <= zone || side == 0.0 {
                continue;
            }
            let beyond: Vec<usize> = ((i + 1).saturating_sub(window)..=i)
                .filter(|&j| z[j].signum() == side && z[j].abs() > zone)
                .collect();
            if beyond.len() >= needed {
                out.push(RuleViolation {
                    rule,
                    points: beyond,
                });
            }
        }
        if i >= 7 {
            let side = z[i].signum();
            if side != 0.0 && (i - 7..=i).all(|j| z[j].signum() == side) {
                out.push(RuleViolation {
                    rule: 4,
                    points: (i - 7..=i).collect(),
                });
            }
        }
    }
    out.sort_by_key(|v| (v.rule, v.points.last().copied()));
    out
}

/// The rules the newest point of `values` would break (for a value being
/// typed: append it and ask).
pub fn violations_at_last(values: &[f64], center: f64, sigma: f64) -> Vec<RuleViolation> {
    let Some(last) = values.len().checked_sub(1) else {
        return Vec::new();
    };
    western_electric(values, center, sigma)
        .into_iter()
        .filter(|v| v.points.last() == Some(&last))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        // sorted 1 2 3 4 9 → middle 3
        assert_eq!(median(&[9.0, 1.0, 4.0, 2.0, 3.0]), Some(3.0));
        // sorted 1 2 3 4 → (2 + 3) / 2
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn nearest_rank_percentile_is_an_observed_value() {
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        // rank ⌈0.9 · 10⌉ = 9 → 9
        assert_eq!(percentile_nearest_rank(&ten, 90.0), Some(9.0));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        // rank ⌈0.9 · 11⌉ = ⌈9.9⌉ = 10 → 10
        assert_eq!(percentile_nearest_rank(&eleven, 90.0), Some(10.0));
        // rank ⌈0.9 · 1⌉ = 1
        assert_eq!(percentile_nearest_rank(&[7.0], 90.0), Some(7.0));
        assert_eq!(percentile_nearest_rank(&[7.0, 1.0], 0.0), Some(1.0));
        assert_eq!(percentile_nearest_rank(&[], 90.0), None);
    }

    #[test]
    fn sample_standard_deviation_divides_by_n_minus_one() {
        // 2 4 4 4 5 5 7 9: mean 5, Σ(x−5)² = 9+1+1+1+0+0+4+16 = 32, s = √(32/7)
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&v), Some(5.0));
        let s = sample_std_dev(&v).unwrap_or_default();
        assert!(close(s, (32.0f64 / 7.0).sqrt()), "{s}");
        assert_eq!(sample_std_dev(&[1.0]), None);
    }

    #[test]
    fn equal_values_have_no_spread_and_break_no_rule() {
        // 25.01 thirty times: summing them naively leaves a residue of about
        // 1e-15, which would read as σ > 0, a Cp of 10¹² and rule 4 everywhere.
        let same = [25.01; 30];
        assert_eq!(mean(&same), Some(25.01));
        assert_eq!(sample_std_dev(&same), Some(0.0));
        assert!(western_electric(&same, 25.01, 0.0).is_empty());
    }

    #[test]
    fn capability_with_two_limits_one_limit_and_none() {
        // LSL 24.95, USL 25.05, mean 25.01, s 0.01:
        // Cp = 0.10 / 0.06 = 1.6667; Cpk = min(0.04, 0.06) / 0.03 = 1.3333
        let both = capability(
            SpecLimits {
                lsl: Some(24.95),
                usl: Some(25.05),
            },
            25.01,
            0.01,
        );
        assert!(close(both.cp.unwrap_or_default(), 0.10 / 0.06));
        assert!(close(both.cpk.unwrap_or_default(), 0.04 / 0.03));
        // only a lower limit 10, mean 11, s 0.5: Cpk = 1 / 1.5
        let lower = capability(
            SpecLimits {
                lsl: Some(10.0),
                usl: None,
            },
            11.0,
            0.5,
        );
        assert_eq!(lower.cp, None);
        assert!(close(lower.cpk.unwrap_or_default(), 1.0 / 1.5));
        assert_eq!(
            capability(SpecLimits::default(), 1.0, 1.0),
            Capability::default()
        );
        // no spread: no capability, not an infinity
        assert_eq!(
            capability(
                SpecLimits {
                    lsl: Some(0.0),
                    usl: Some(1.0)
                },
                0.5,
                0.0
            ),
            Capability::default()
        );
    }

    fn rules(v: &[RuleViolation]) -> Vec<(u8, Vec<usize>)> {
        v.iter().map(|r| (r.rule, r.points.clone())).collect()
    }

    #[test]
    fn each_western_electric_rule_fires_on_its_pattern_and_not_below_it() {
        // centre 0, σ 1 so values are z-scores.
        assert_eq!(
            rules(&western_electric(&[0.5, -3.1, 3.0], 0.0, 1.0)),
            vec![(1, vec![1])],
            "3.0 is on the 3σ line, not beyond it"
        );
        assert_eq!(
            rules(&western_electric(&[2.5, 0.0, 2.1], 0.0, 1.0)),
            vec![(2, vec![0, 2])]
        );
        // the first two points already make two of three
        assert_eq!(
            rules(&western_electric(&[-2.5, -2.1, 0.0], 0.0, 1.0)),
            vec![(2, vec![0, 1])]
        );
        // two beyond 2σ but on opposite sides: no rule 2
        assert!(western_electric(&[2.5, 0.0, -2.1], 0.0, 1.0).is_empty());
        assert_eq!(
            rules(&western_electric(&[1.5, 1.2, -0.5, 1.1, 1.9], 0.0, 1.0)),
            vec![(3, vec![0, 1, 3, 4])]
        );
        // three of five beyond 1σ: not enough
        assert!(western_electric(&[1.5, 1.2, -0.5, 0.5, 1.9], 0.0, 1.0).is_empty());
        let eight = [0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.1, 0.2];
        assert_eq!(
            rules(&western_electric(&eight, 0.0, 1.0)),
            vec![(4, (0..8).collect())]
        );
        assert!(western_electric(&eight[..7], 0.0, 1.0).is_empty());
        assert!(western_electric(&eight, 0.0, 0.0).is_empty());
    }

    #[test]
    fn the_point_being_typed_is_judged_with_the_history() {
        let mut v = vec![0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.1];
        assert!(violations_at_last(&v, 0.0, 1.0).is_empty());
        v.push(0.4);
        assert_eq!(
            rules(&violations_at_last(&v, 0.0, 1.0)),
            vec![(4, (0..8).collect())]
        );
        v.push(-0.4);
        assert!(violations_at_last(&v, 0.0, 1.0).is_empty());
    }
}
