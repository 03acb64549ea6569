//! Telling a barcode scanner from a person. A scanner types its characters
//! a few milliseconds apart and ends with Enter; a person is far slower. The
//! driver collects keys that arrive within `GAP` of each other; a burst of
//! at least `MIN_LEN` characters ending in Enter is a scan. Some USB
//! scanners pause before their Enter suffix, so once a burst holds
//! `MIN_LEN` fast characters the driver waits up to `ENTER_GRACE` for it
//! (a person's single key never waits longer than `GAP`).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

/// Longest pause between two keys of one scan.
pub const GAP: Duration = Duration::from_millis(35);
/// Shortest identifier taken as a scan.
pub const MIN_LEN: usize = 3;
/// Longest pause before the Enter that ends a scan, once `MIN_LEN` fast
/// characters have arrived (scanners with a suffix delay).
pub const ENTER_GRACE: Duration = Duration::from_millis(150);

/// How long the driver waits for the next key of the burst read so far.
pub fn wait_for_next(keys: &[KeyEvent]) -> Duration {
    let trailing_chars = keys
        .iter()
        .rev()
        .take_while(|k| plain_char(k).is_some())
        .count();
    if trailing_chars >= MIN_LEN {
        ENTER_GRACE
    } else {
        GAP
    }
}

/// The driver's burst reading, on a timeline of (milliseconds, key): keys
/// join the burst while each arrives within `wait_for_next` of the one
/// before. (The driver does the same against the terminal's clock.)
pub fn bursts_on_timeline(events: &[(u64, KeyEvent)]) -> Vec<Burst> {
    let mut out = Vec::new();
    let mut keys: Vec<KeyEvent> = Vec::new();
    let mut last = 0u64;
    for (at, key) in events {
        let waited = Duration::from_millis(at.saturating_sub(last));
        if !keys.is_empty() && waited > wait_for_next(&keys) {
            out.extend(split_burst(std::mem::take(&mut keys)));
        }
        keys.push(*key);
        last = *at;
    }
    if !keys.is_empty() {
        out.extend(split_burst(keys));
    }
    out
}

/// What a burst of keys was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Burst {
    Scan(String),
    Keys(Vec<KeyEvent>),
}

fn plain_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Sorts a burst of keys (already known to have come quickly one after
/// another) into scans and ordinary keys, in order.
pub fn split_burst(keys: Vec<KeyEvent>) -> Vec<Burst> {
    let mut out = Vec::new();
    let mut pending: Vec<KeyEvent> = Vec::new();
    for key in keys {
        if key.code == KeyCode::Enter {
            let text: Option<String> = pending.iter().map(plain_char).collect();
            match text {
                Some(t) if t.chars().count() >= MIN_LEN => {
                    out.push(Burst::Scan(t));
                    pending.clear();
                    continue;
                }
                _ => {}
            }
            pending.push(key);
            out.push(Burst::Keys(std::mem::take(&mut pending)));
        } else if plain_char(&key).is_some() {
            pending.push(key);
        } else {
            pending.push(key);
            out.push(Burst::Keys(std::mem::take(&mut pending)));
        }
    }
    if !pending.is_empty() {
        out.push(Burst::Keys(pending));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn a_fast_serial_with_enter_is_a_scan() {
        let keys = "SN-1"
            .chars()
            .map(|c| k(KeyCode::Char(c)))
            .chain([k(KeyCode::Enter)])
            .collect();
        assert_eq!(split_burst(keys), vec![Burst::Scan("SN-1".into())]);
    }

    #[test]
    fn short_bursts_stay_keys() {
        let keys = vec![k(KeyCode::Char('j')), k(KeyCode::Enter)];
        assert_eq!(split_burst(keys.clone()), vec![Burst::Keys(keys)]);
    }
}
