//! Consecutive Western Electric violations of one rule, merged into spans.
//! A long run on one side of the mean breaks rule 4 at every new point
//! (and rules 2 and 3 at every point beyond their zone); a reader wants one
//! line naming where it starts and ends, not one line per point.

use super::statistics::RuleViolation;
use serde::Serialize;

/// Violations of one rule on one side whose windows overlap or touch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleSpan {
    pub rule: u8,
    /// `above` or `below` the mean.
    pub side: &'static str,
    /// Positions in the series (0-based) of the first and last point of the
    /// merged windows.
    pub first: usize,
    pub last: usize,
    /// The points that are beyond the rule's zone (for rule 4: every point
    /// of the span), oldest first.
    pub points: Vec<usize>,
    /// How many single violations the span merges.
    pub violations: usize,
}

/// `violations` (as `statistics::western_electric` returns them) of the
/// series `values` around `center`, merged per rule and side: a violation
/// whose window starts at or before the point after the span's end extends
/// the span. Sorted by first point, then rule.
pub fn merge(violations: &[RuleViolation], values: &[f64], center: f64) -> Vec<RuleSpan> {
    let mut ordered: Vec<&RuleViolation> =
        violations.iter().filter(|v| !v.points.is_empty()).collect();
    ordered.sort_by_key(|v| (v.rule, v.points.last().copied()));
    let mut spans: Vec<RuleSpan> = Vec::new();
    for v in ordered {
        let (Some(&first), Some(&last)) = (v.points.first(), v.points.last()) else {
            continue;
        };
        let side = side_of(values.get(last).copied().unwrap_or(center), center);
        match spans.last_mut() {
            Some(open) if open.rule == v.rule && open.side == side && first <= open.last + 1 => {
                open.last = open.last.max(last);
                for &p in &v.points {
                    if !open.points.contains(&p) {
                        open.points.push(p);
                    }
                }
                open.points.sort_unstable();
                open.violations += 1;
            }
            _ => spans.push(RuleSpan {
                rule: v.rule,
                side,
                first,
                last,
                points: v.points.clone(),
                violations: 1,
            }),
        }
    }
    spans.sort_by_key(|s| (s.first, s.rule));
    spans
}

fn side_of(value: f64, center: f64) -> &'static str {
    if value < center {
        "below"
    } else {
        "above"
    }
}

/// The span as one sentence, points numbered from 1 as the chart shows
/// them: "points 12–31: 20 in a row above the mean".
pub fn span_text(span: &RuleSpan) -> String {
    let where_ = if span.first == span.last {
        format!("point {}", span.first + 1)
    } else {
        format!("points {}–{}", span.first + 1, span.last + 1)
    };
    let side = span.side;
    let beyond = span.points.len();
    let what = match span.rule {
        1 if beyond == 1 => format!("beyond 3σ {side} the mean"),
        1 => format!("{beyond} beyond 3σ {side} the mean"),
        2 => format!("2 of 3 in a row beyond 2σ {side} the mean, {beyond} points beyond"),
        3 => format!("4 of 5 in a row beyond 1σ {side} the mean, {beyond} points beyond"),
        _ => format!("{} in a row {side} the mean", span.last - span.first + 1),
    };
    format!("{where_}: {what}")
}

#[cfg(test)]
mod tests {
    use super::super::statistics::western_electric;
    use super::*;

    fn texts(values: &[f64]) -> Vec<(u8, String)> {
        merge(&western_electric(values, 0.0, 1.0), values, 0.0)
            .iter()
            .map(|s| (s.rule, span_text(s)))
            .collect()
    }

    #[test]
    fn a_long_run_on_one_side_is_one_rule_4_line() {
        // 11 points below, then 20 above (points 12–31), then one below.
        let mut values = vec![-0.5; 11];
        values.extend([0.5; 20]);
        values.push(-0.5);
        let raw = western_electric(&values, 0.0, 1.0);
        assert!(raw.len() > 13, "one violation per point: {}", raw.len());
        let spans = merge(&raw, &values, 0.0);
        let texts: Vec<String> = spans.iter().map(span_text).collect();
        assert_eq!(
            texts,
            [
                "points 1–11: 11 in a row below the mean",
                "points 12–31: 20 in a row above the mean"
            ]
        );
        assert_eq!(
            spans[1].violations, 13,
            "points 19 to 31 each completed eight"
        );
        assert_eq!(spans[1].points, (11..31).collect::<Vec<_>>());
    }

    #[test]
    fn a_change_of_side_or_a_gap_starts_a_new_span() {
        // Eight above, eight below: two spans, not one.
        let mut values = vec![0.5; 8];
        values.extend([-0.5; 8]);
        assert_eq!(
            texts(&values),
            [
                (4, "points 1–8: 8 in a row above the mean".to_string()),
                (4, "points 9–16: 8 in a row below the mean".to_string())
            ]
        );
        // Two points beyond 3σ with one between: two rule-1 lines; two in a
        // row: one line naming both.
        let rule_1 = |values: &[f64]| -> Vec<(u8, String)> {
            texts(values).into_iter().filter(|(r, _)| *r == 1).collect()
        };
        assert_eq!(
            rule_1(&[3.5, 0.0, 3.5]),
            [
                (1, "point 1: beyond 3σ above the mean".to_string()),
                (1, "point 3: beyond 3σ above the mean".to_string())
            ]
        );
        let together = rule_1(&[3.5, 3.6, 0.0]);
        assert_eq!(
            together[0],
            (1, "points 1–2: 2 beyond 3σ above the mean".to_string())
        );
    }

    #[test]
    fn overlapping_rule_2_windows_merge_and_count_the_points_beyond() {
        // 2.5 at points 1, 2, 4, 5: every window of three from point 2 on
        // holds two beyond 2σ above.
        let values = [2.5, 2.5, 0.0, 2.5, 2.5, 0.0, 0.0, 0.0];
        let spans = merge(&western_electric(&values, 0.0, 1.0), &values, 0.0);
        let rule_2: Vec<&RuleSpan> = spans.iter().filter(|s| s.rule == 2).collect();
        assert_eq!(rule_2.len(), 1, "{spans:?}");
        assert_eq!(
            span_text(rule_2[0]),
            "points 1–5: 2 of 3 in a row beyond 2σ above the mean, 4 points beyond"
        );
    }
}
