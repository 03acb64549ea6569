//! The terminal's numbers, measured by driving the app's own `update`, effect
//! runner and `ui::render` on a ratatui `TestBackend` against a real
//! database: sign-in Enter → first board frame, a key → redrawn frame, and
//! resident memory after every screen was shown. Run in a process of its own
//! (`traveler bench-tui`) so the memory is the terminal's alone.

use super::data::{PIN, PROBE_SERIAL};
use super::timing::median_measured;
use crate::app::action::Action;
use crate::app::input::route;
use crate::app::keymap::Keymap;
use crate::app::msg::Msg;
use crate::app::run_effects::{dispatch, Runner};
use crate::app::scan::{Out, ScanDetector, ScanSettings};
use crate::app::state::{Screen, SignInFocus, State};
use crate::app::text_input::{Edit, TextInput};
use crate::store::Store;
use crate::ui::{self, theme::Theme};
use anyhow::{anyhow, bail, Result};
use chrono::Utc;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};

/// What `traveler bench-tui` prints (one JSON line).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TuiNumbers {
    pub sign_in_to_board_ns: u64,
    pub key_to_frame_ns: u64,
    pub resident_bytes: u64,
}

struct Screenful {
    store: Store,
    state: State,
    terminal: Terminal<TestBackend>,
    theme: Theme,
}

impl Screenful {
    fn send(&mut self, msg: Msg) {
        let mut runner = Runner {
            store: &mut self.store,
            station: "bench".into(),
        };
        dispatch(&mut self.state, &mut runner, msg);
    }

    fn draw(&mut self) -> Result<()> {
        let (state, theme) = (&self.state, &self.theme);
        self.terminal
            .draw(|frame| ui::render(state, theme, frame))
            .map_err(|e| anyhow!("Could not draw on the test screen: {e}"))?;
        Ok(())
    }

    fn expect_screen(&self, screen: Screen, after: &str) -> Result<()> {
        if self.state.screen != screen {
            bail!(
                "After {after} the terminal shows {:?}, not {screen:?}: {:?}",
                self.state.screen,
                self.state.status
            );
        }
        Ok(())
    }

    /// A terminal at the sign-in screen with the login and PIN typed.
    fn at_sign_in(&mut self) -> Result<()> {
        self.state = State::new("bench", Keymap::defaults(), Utc::now());
        self.state.sign_in.login = TextInput::new("operator");
        self.state.sign_in.focus = SignInFocus::Pin;
        for c in PIN.chars() {
            self.send(Msg::Edit(Edit::Insert(c)));
        }
        self.draw()
    }
}

/// Measures the terminal on the database at `db`, each number the median of
/// `repeat` runs.
pub fn measure(db: &Path, repeat: usize) -> Result<TuiNumbers> {
    let mut s = Screenful {
        store: Store::open(db)?,
        state: State::new("bench", Keymap::defaults(), Utc::now()),
        terminal: Terminal::new(TestBackend::new(120, 40))
            .map_err(|e| anyhow!("Could not make the test screen: {e}"))?,
        theme: Theme::dark(),
    };
    let sign_in = median_measured(repeat, || {
        s.at_sign_in()?;
        let began = Instant::now();
        s.send(Msg::Action(Action::Open));
        s.draw()?;
        let took = began.elapsed();
        s.expect_screen(Screen::Board, "signing in")?;
        if s.state.board.rows.is_empty() {
            bail!("The board shows no runs after signing in.");
        }
        Ok(took)
    })?;
    let mut down = true;
    // Keys go through the scan detector as in the terminal, a person's
    // second apart: the frame never waits for a next key.
    let mut detector = ScanDetector::new(ScanSettings::default());
    let mut at_ms = 0u64;
    let key = median_measured(repeat.max(20), || {
        let code = if down { KeyCode::Down } else { KeyCode::Up };
        down = !down;
        at_ms += 1000;
        let began = Instant::now();
        for out in detector.feed(KeyEvent::from(code), at_ms, false) {
            if let Out::Key(key) = out {
                if let Some(msg) = route(&s.state, &s.state.keymap, &key) {
                    s.send(msg);
                }
            }
        }
        s.draw()?;
        Ok(began.elapsed())
    })?;
    visit_every_screen(&mut s)?;
    Ok(TuiNumbers {
        sign_in_to_board_ns: nanos(sign_in),
        key_to_frame_ns: nanos(key),
        resident_bytes: resident_bytes()?,
    })
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Board → a run (scanned) → its first step → back → the quality screen → back.
fn visit_every_screen(s: &mut Screenful) -> Result<()> {
    s.expect_screen(Screen::Board, "signing in")?;
    s.send(Msg::Scan(PROBE_SERIAL.into()));
    s.draw()?;
    s.expect_screen(Screen::Run, "scanning a serial")?;
    s.send(Msg::Action(Action::Open));
    s.draw()?;
    s.expect_screen(Screen::Step, "opening a step")?;
    s.send(Msg::Action(Action::Back));
    s.send(Msg::Action(Action::Back));
    s.draw()?;
    s.expect_screen(Screen::Board, "going back twice")?;
    s.send(Msg::Action(Action::QualityScreen));
    s.draw()?;
    s.expect_screen(Screen::Quality, "opening the quality screen")?;
    s.send(Msg::Action(Action::Back));
    s.draw()
}

/// This process's resident memory, from /proc/self/statm (Linux).
pub fn resident_bytes() -> Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")
        .map_err(|e| anyhow!("Could not read /proc/self/statm for the resident memory: {e}"))?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| anyhow!("/proc/self/statm does not hold a resident page count."))?;
    // SAFETY: sysconf only reads a constant of the running system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Ok(pages * u64::try_from(page).unwrap_or(4096))
}
