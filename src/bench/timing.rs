//! Repeated timing: the median of several runs, so one slow run (another
//! process on the machine, a page cache miss) does not make the number.

use anyhow::Result;
use std::time::{Duration, Instant};

/// The median wall time of `runs` calls of `f`.
pub fn median_of(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<Duration> {
    median_measured(runs, || {
        let began = Instant::now();
        f()?;
        Ok(began.elapsed())
    })
}

/// The median of `runs` times that `f` measures itself (so it can leave its
/// own set-up out of the time).
pub fn median_measured(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        times.push(f()?);
    }
    Ok(median(&mut times))
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(times: &mut [Duration]) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort();
    let mid = times.len() / 2;
    if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_ignores_one_slow_run_and_averages_the_middle_pair() {
        let ms = Duration::from_millis;
        assert_eq!(median(&mut [ms(3), ms(1), ms(900)]), ms(3));
        assert_eq!(median(&mut [ms(4), ms(1), ms(2), ms(900)]), ms(3));
        assert_eq!(median(&mut []), Duration::ZERO);
    }
}
