//! Telling a barcode scanner (or a measuring gauge) from a person, without
//! ever waiting for a key that has not come.
//!
//! Two ways, per station (config.toml):
//! - **Prefix** (`scan_prefix`, optionally `scan_suffix`): the scanner is set
//!   up to send a key nobody types (e.g. `f12` or `ctrl-b`) before each code.
//!   Everything from the prefix to the suffix (Enter unless configured) is the
//!   scan, however slowly it arrives. This is the reliable path.
//! - **Heuristic** (on when no prefix is set, `scan_heuristic`): keys that
//!   arrive less than `scan_gap_ms` apart form a burst; a burst of at least
//!   `MIN_LEN` characters that ends in Enter is a scan.
//!
//! The trade-off of the heuristic, since a lone key is never held back: the
//! first character of a burst is, when it arrives, indistinguishable from a
//! person's key press, so it is handled at once (a character for a text box
//! goes into it; a command key does its command). Every later character of
//! the burst that would be a command is held, not fired, until the burst
//! either ends in Enter (it was a scan) or stops (`scan_gap_ms` after the
//! last key: the held keys then run in order, a person's quick second key
//! is late by at most that gap). Characters that would go into a text box
//! go in at once; if the burst turns out to be a scan they are taken back
//! out (`Out::Scan::typed`) before the scan is handled. A run of one
//! repeated character (a held-down key) is not held. So with the heuristic
//! a scanned code must not *begin* with a command key of the screen it is
//! scanned on; with a prefix nothing in a code can fire a command.
//!
//! The detector is fed keys with their arrival time (what the terminal has
//! already queued, read without waiting) and is asked, on the driver's own
//! clock, whether a held burst has ended (`expire`).

use super::keymap::KeyBinding;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Shortest identifier taken as a scan by the heuristic.
pub const MIN_LEN: usize = 3;
/// Default longest pause (ms) between two keys of one burst: covers
/// scanners and gauges typing 20–50 ms a character with room for a busy
/// machine's and terminal's jitter; a person's key presses are rarely this
/// close (and a quick second command key is late by at most this much).
pub const DEFAULT_GAP_MS: u64 = 100;
/// Longest pause (ms) before the Enter that ends a burst of at least
/// `MIN_LEN` characters (some scanners pause before their suffix).
pub const ENTER_GRACE_MS: u64 = 150;
/// With a prefix, a scan that has not ended after this long (ms) is dropped.
pub const PREFIX_TIMEOUT_MS: u64 = 2000;

/// How this station's scanner is recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanSettings {
    pub prefix: Option<KeyBinding>,
    /// Ends a scan; `None` means Enter.
    pub suffix: Option<KeyBinding>,
    pub heuristic: bool,
    pub gap_ms: u64,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            prefix: None,
            suffix: None,
            heuristic: true,
            gap_ms: DEFAULT_GAP_MS,
        }
    }
}

/// What the driver does with the keys fed so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Out {
    /// Route this key as a key press, now.
    Key(KeyEvent),
    /// A scan. `typed` of its characters already went into a text box one by
    /// one and are to be taken back out (Backspace) before it is handled.
    Scan { text: String, typed: usize },
    /// A prefixed scan that never got its suffix.
    CutOff(String),
}

#[derive(Clone, Debug, Default)]
struct Burst {
    /// Every character of the burst, in order (the scan text if it is one).
    text: String,
    /// Characters delivered into a text box during the burst.
    typed: usize,
    /// Keys held back because they would have been commands.
    held: Vec<KeyEvent>,
    last_at: u64,
}

#[derive(Clone, Debug, Default)]
pub struct ScanDetector {
    settings: ScanSettings,
    burst: Option<Burst>,
    /// Text after a prefix, waiting for the suffix.
    capture: Option<(String, u64)>,
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

fn matches(binding: &Option<KeyBinding>, key: &KeyEvent) -> bool {
    binding.is_some_and(|b| b == KeyBinding::from_event(key))
}

impl ScanDetector {
    pub fn new(settings: ScanSettings) -> ScanDetector {
        ScanDetector {
            settings,
            ..ScanDetector::default()
        }
    }

    fn is_suffix(&self, key: &KeyEvent) -> bool {
        match self.settings.suffix {
            Some(_) => matches(&self.settings.suffix, key),
            None => key.code == KeyCode::Enter,
        }
    }

    /// One key, arrived at `at` (ms on any steady clock). `is_text` says
    /// whether handling it now would only type it into a text box.
    pub fn feed(&mut self, key: KeyEvent, at: u64, is_text: bool) -> Vec<Out> {
        if let Some((text, _)) = self.capture.take() {
            return self.feed_capture(text, key, at);
        }
        if matches(&self.settings.prefix, &key) {
            let out = self.release();
            self.capture = Some((String::new(), at));
            return out;
        }
        if !self.settings.heuristic {
            return vec![Out::Key(key)];
        }
        let mut out = Vec::new();
        // A burst that has gone quiet is over before this key counts.
        if let Some(b) = &self.burst {
            if at.saturating_sub(b.last_at) > self.allowed_pause(b, &key) {
                out.extend(self.release());
            }
        }
        let Some(mut burst) = self.burst.take() else {
            // A lone key: handled now, and it may lead a burst.
            if let Some(c) = plain_char(&key) {
                self.burst = Some(Burst {
                    text: c.to_string(),
                    typed: usize::from(is_text),
                    held: Vec::new(),
                    last_at: at,
                });
            }
            out.push(Out::Key(key));
            return out;
        };
        if let Some(c) = plain_char(&key) {
            let repeat = burst.text.chars().all(|t| t == c);
            burst.text.push(c);
            burst.last_at = at;
            if is_text {
                burst.typed += 1;
                out.push(Out::Key(key));
            } else if repeat && burst.held.is_empty() {
                out.push(Out::Key(key));
            } else {
                burst.held.push(key);
            }
            self.burst = Some(burst);
            return out;
        }
        if self.is_suffix(&key) && burst.text.chars().count() >= MIN_LEN {
            out.push(Out::Scan {
                text: burst.text,
                typed: burst.typed,
            });
            return out;
        }
        // Any other key ends the burst: what was held runs first, in order.
        out.extend(burst.held.into_iter().map(Out::Key));
        out.push(Out::Key(key));
        out
    }

    fn feed_capture(&mut self, mut text: String, key: KeyEvent, at: u64) -> Vec<Out> {
        if self.is_suffix(&key) {
            return vec![Out::Scan { text, typed: 0 }];
        }
        match plain_char(&key) {
            Some(c) => {
                text.push(c);
                self.capture = Some((text, at));
                Vec::new()
            }
            // Esc (or any other key) abandons a scan in progress.
            None => vec![Out::CutOff(text)],
        }
    }

    fn allowed_pause(&self, burst: &Burst, next: &KeyEvent) -> u64 {
        if self.is_suffix(next) && burst.text.chars().count() >= MIN_LEN {
            ENTER_GRACE_MS.max(self.settings.gap_ms)
        } else {
            self.settings.gap_ms
        }
    }

    /// Ends the current burst: its held keys, to run now.
    fn release(&mut self) -> Vec<Out> {
        self.burst
            .take()
            .map(|b| b.held.into_iter().map(Out::Key).collect())
            .unwrap_or_default()
    }

    /// When the driver should call `expire` at the latest (ms), if anything
    /// is held; `None` when nothing is.
    pub fn deadline(&self) -> Option<u64> {
        if let Some((_, since)) = &self.capture {
            return Some(since + PREFIX_TIMEOUT_MS);
        }
        let b = self.burst.as_ref()?;
        if b.held.is_empty() {
            return None;
        }
        let pause = if b.text.chars().count() >= MIN_LEN {
            ENTER_GRACE_MS.max(self.settings.gap_ms)
        } else {
            self.settings.gap_ms
        };
        Some(b.last_at + pause)
    }

    /// The clock reached `now` with no key: a burst whose time is up ends.
    pub fn expire(&mut self, now: u64) -> Vec<Out> {
        if let Some((text, since)) = &self.capture {
            if now >= since + PREFIX_TIMEOUT_MS {
                let text = text.clone();
                self.capture = None;
                return vec![Out::CutOff(text)];
            }
            return Vec::new();
        }
        match self.deadline() {
            Some(due) if now >= due => self.release(),
            Some(_) => Vec::new(),
            None => {
                // Nothing held: a quiet burst simply ends.
                if self
                    .burst
                    .as_ref()
                    .is_some_and(|b| now.saturating_sub(b.last_at) > ENTER_GRACE_MS)
                {
                    self.burst = None;
                }
                Vec::new()
            }
        }
    }
}

/// Feeds a timeline of (ms, key, is_text) and expires after each gap, as the
/// driver does: for tests and the benchmark.
pub fn run_timeline(settings: ScanSettings, events: &[(u64, KeyEvent, bool)]) -> Vec<Out> {
    let mut detector = ScanDetector::new(settings);
    let mut out = Vec::new();
    for (at, key, is_text) in events {
        if let Some(due) = detector.deadline() {
            if due < *at {
                out.extend(detector.expire(due));
            }
        }
        out.extend(detector.feed(*key, *at, *is_text));
    }
    out.extend(detector.expire(u64::MAX / 2));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ch(c: char) -> KeyEvent {
        k(KeyCode::Char(c))
    }

    /// `text` then Enter, `every` ms apart, none of it text-box input.
    fn typed(text: &str, every: u64, is_text: bool) -> Vec<(u64, KeyEvent, bool)> {
        text.chars()
            .map(ch)
            .chain([k(KeyCode::Enter)])
            .enumerate()
            .map(|(i, key)| (1000 + i as u64 * every, key, is_text))
            .collect()
    }

    fn keys_of(out: &[Out]) -> Vec<KeyEvent> {
        out.iter()
            .filter_map(|o| match o {
                Out::Key(k) => Some(*k),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_scanner_at_20_35_and_50_ms_is_a_scan_and_fires_no_command_after_its_first_key() {
        for every in [20, 35, 50] {
            let out = run_timeline(ScanSettings::default(), &typed("SN-L7q2", every, false));
            assert_eq!(
                out,
                vec![
                    Out::Key(ch('S')),
                    Out::Scan {
                        text: "SN-L7q2".into(),
                        typed: 0
                    }
                ],
                "at {every} ms"
            );
        }
    }

    #[test]
    fn a_lone_key_is_handed_on_at_once() {
        let mut d = ScanDetector::new(ScanSettings::default());
        assert_eq!(d.feed(ch('L'), 0, false), vec![Out::Key(ch('L'))]);
        assert_eq!(d.deadline(), None, "nothing held, nothing to wait for");
    }

    #[test]
    fn a_person_typing_commands_gets_every_key_in_order() {
        // 200 ms apart: each key runs as it comes.
        let events: Vec<_> = "jcL"
            .chars()
            .enumerate()
            .map(|(i, c)| (i as u64 * 200, ch(c), false))
            .collect();
        assert_eq!(
            run_timeline(ScanSettings::default(), &events),
            vec![Out::Key(ch('j')), Out::Key(ch('c')), Out::Key(ch('L'))]
        );
    }

    #[test]
    fn two_quick_command_keys_without_enter_both_run_once_the_burst_stops() {
        let mut d = ScanDetector::new(ScanSettings::default());
        assert_eq!(d.feed(ch('j'), 0, false), vec![Out::Key(ch('j'))]);
        assert_eq!(d.feed(ch('c'), 30, false), vec![], "held: might be a scan");
        assert_eq!(d.deadline(), Some(30 + DEFAULT_GAP_MS));
        assert_eq!(d.expire(50), vec![]);
        assert_eq!(d.expire(30 + DEFAULT_GAP_MS), vec![Out::Key(ch('c'))]);
    }

    #[test]
    fn a_held_down_key_repeats_without_being_held() {
        let events: Vec<_> = (0..5).map(|i| (i * 30, ch('j'), false)).collect();
        assert_eq!(
            keys_of(&run_timeline(ScanSettings::default(), &events)),
            vec![ch('j'); 5]
        );
    }

    #[test]
    fn short_bursts_stay_keys() {
        let out = run_timeline(ScanSettings::default(), &typed("jk", 10, false));
        assert_eq!(keys_of(&out), vec![ch('j'), ch('k'), k(KeyCode::Enter)]);
    }

    #[test]
    fn a_burst_typed_into_a_text_box_says_how_much_to_take_back() {
        let out = run_timeline(ScanSettings::default(), &typed("45.2", 20, true));
        assert_eq!(
            out.last(),
            Some(&Out::Scan {
                text: "45.2".into(),
                typed: 4
            })
        );
        assert_eq!(keys_of(&out).len(), 4, "each character went in as typed");
    }

    #[test]
    fn a_pause_longer_than_the_gap_splits_bursts() {
        let mut events = typed("AB", 20, false);
        events.pop();
        events.push((2000, ch('C'), false));
        events.push((2020, ch('D'), false));
        events.push((2040, ch('E'), false));
        events.push((2060, k(KeyCode::Enter), false));
        let out = run_timeline(ScanSettings::default(), &events);
        assert_eq!(
            out,
            vec![
                Out::Key(ch('A')),
                Out::Key(ch('B')),
                Out::Key(ch('C')),
                Out::Scan {
                    text: "CDE".into(),
                    typed: 0
                }
            ]
        );
    }

    #[test]
    fn a_slow_enter_suffix_is_still_part_of_the_scan() {
        let mut events = typed("SN-1", 20, false);
        let enter = events.last_mut().unwrap();
        enter.0 += 120;
        let out = run_timeline(ScanSettings::default(), &events);
        assert!(matches!(out.last(), Some(Out::Scan { text, .. }) if text == "SN-1"));
    }

    fn prefixed() -> ScanSettings {
        ScanSettings {
            prefix: Some(KeyBinding::parse("f12").unwrap()),
            suffix: None,
            heuristic: false,
            gap_ms: DEFAULT_GAP_MS,
        }
    }

    #[test]
    fn with_a_prefix_even_slow_codes_starting_with_commands_are_scans() {
        let mut events = vec![(0, k(KeyCode::F(12)), false)];
        events.extend(typed("Lq-9", 300, false));
        assert_eq!(
            run_timeline(prefixed(), &events),
            vec![Out::Scan {
                text: "Lq-9".into(),
                typed: 0
            }]
        );
    }

    #[test]
    fn with_a_prefix_people_keep_every_key() {
        let out = run_timeline(prefixed(), &typed("SN1", 5, false));
        assert_eq!(out.len(), 4, "no heuristic: {out:?}");
    }

    #[test]
    fn a_prefixed_scan_without_suffix_is_cut_off() {
        let mut d = ScanDetector::new(prefixed());
        assert!(d.feed(k(KeyCode::F(12)), 0, false).is_empty());
        assert!(d.feed(ch('A'), 10, false).is_empty());
        assert_eq!(d.expire(PREFIX_TIMEOUT_MS), vec![]);
        assert_eq!(
            d.expire(10 + PREFIX_TIMEOUT_MS),
            vec![Out::CutOff("A".into())]
        );
    }

    #[test]
    fn a_configured_suffix_ends_the_scan() {
        let settings = ScanSettings {
            suffix: Some(KeyBinding::parse("tab").unwrap()),
            ..prefixed()
        };
        let events = vec![
            (0, k(KeyCode::F(12)), false),
            (5, ch('X'), false),
            (10, k(KeyCode::Tab), false),
        ];
        assert_eq!(
            run_timeline(settings, &events),
            vec![Out::Scan {
                text: "X".into(),
                typed: 0
            }]
        );
    }
}
