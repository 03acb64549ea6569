//! The terminal driver: takes over the terminal, turns key presses into
//! messages, feeds `update`, runs its effects against the store, polls the
//! database for other terminals' changes, and draws. The terminal is
//! restored on quit, on error, on panic and on SIGTERM (see `shutdown`).

use super::input::route;
use super::msg::Msg;
use super::run_effects::Runner;
use super::scan::{Out, ScanDetector};
use super::shutdown::{Shutdown, StopReason};
use super::state::{State, Status};
use super::text_input::Edit;
use crate::config::Config;
use crate::store::Store;
use crate::ui::{self, theme::Theme};
use anyhow::{anyhow, bail, Context, Result};
use chrono::Utc;
use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind};
use ratatui::DefaultTerminal;
use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often the clock ticks and the database is asked whether another
/// terminal changed something (`PRAGMA data_version`, a cheap read).
const TICK: Duration = Duration::from_millis(250);

/// Runs the full-screen terminal UI until the user quits.
pub fn run_tui(mut store: Store, config: &Config) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "traveler's screen needs an interactive terminal, but its input or output is not one. \
             Run it from a terminal, or use a subcommand (traveler --help) in scripts."
        );
    }
    let keymap = config.keymap().map_err(|e| anyhow!(e))?;
    let theme = Theme::pick(config.theme, Theme::no_color_requested());
    let mut state = State::new(&config.station, keymap, Utc::now());
    state.idle_lock_minutes = config.idle_lock_minutes;
    state.decimal_comma = config.decimal_comma;
    let detector = ScanDetector::new(config.scan.clone());

    // try_init installs a panic hook that restores the terminal first.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(anyhow!("Could not take over the terminal: {e}."));
        }
    };
    let shutdown = match Shutdown::install() {
        Ok(s) => s,
        Err(e) => {
            ratatui::restore();
            return Err(e);
        }
    };
    let result = event_loop(
        &mut terminal,
        &mut store,
        &mut state,
        &theme,
        &shutdown,
        detector,
    );
    let restored = ratatui::try_restore();
    drop(shutdown);
    if let Ok(Some(reason)) = result {
        eprintln!("{}", reason.sentence());
    }
    result?;
    restored.context("Could not give the terminal back")?;
    Ok(())
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    store: &mut Store,
    state: &mut State,
    theme: &Theme,
    shutdown: &Shutdown,
    mut detector: ScanDetector,
) -> Result<Option<StopReason>> {
    let station = state.station.clone();
    let clock = Instant::now();
    let now_ms = || u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut last_version = store.data_version()?;
    let mut next_tick = Instant::now();
    loop {
        terminal
            .draw(|frame| ui::render(state, theme, frame))
            .context("Could not draw the screen")?;
        if state.quit {
            return Ok(None);
        }
        if let Some(reason) = shutdown.requested() {
            // Closed from outside: the user's labour closes as on quit.
            dispatch(state, store, &station, Some(Msg::Stopping))?;
            return Ok(Some(reason));
        }
        let mut messages: VecDeque<Msg> = VecDeque::new();
        // Wake for the clock, or when a burst's held keys are due.
        let mut timeout = next_tick.saturating_duration_since(Instant::now());
        if let Some(due) = detector.deadline() {
            timeout = timeout.min(Duration::from_millis(due.saturating_sub(now_ms())));
        }
        if event::poll(timeout)? {
            // Everything the terminal has already queued, read without waiting.
            loop {
                if let Event::Key(key) = event::read()? {
                    if key.kind == KeyEventKind::Press {
                        let typed_into_box =
                            matches!(route_now(state, &key), Some(Msg::Edit(Edit::Insert(_))));
                        for out in detector.feed(key, now_ms(), typed_into_box) {
                            deliver(state, store, &station, out)?;
                        }
                    }
                }
                if !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        for out in detector.expire(now_ms()) {
            deliver(state, store, &station, out)?;
        }
        if Instant::now() >= next_tick {
            next_tick = Instant::now() + TICK;
            messages.push_back(Msg::Tick(Utc::now()));
            let version = store.data_version()?;
            if version != last_version {
                last_version = version;
                messages.push_back(Msg::DataChanged);
            }
        }
        for msg in messages {
            dispatch(state, store, &station, Some(msg))?;
        }
        if state.quit {
            return Ok(None);
        }
    }
}

fn route_now(state: &State, key: &KeyEvent) -> Option<Msg> {
    route(state, &state.keymap, key)
}

/// Feeds one message to `update`, then runs its effects, feeding their
/// answers back until nothing is left to do.
fn dispatch(state: &mut State, store: &mut Store, station: &str, msg: Option<Msg>) -> Result<()> {
    let Some(msg) = msg else {
        return Ok(());
    };
    let mut runner = Runner {
        store,
        station: station.to_string(),
    };
    super::run_effects::dispatch(state, &mut runner, msg);
    if std::mem::take(&mut state.bell) {
        ring_bell();
    }
    Ok(())
}

/// BEL to the terminal. A terminal that cannot take it loses only the sound.
fn ring_bell() {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

/// Hands one verdict of the scan detector to the app: a key as a key, a
/// scan (after taking back what of it was already typed into a box).
fn deliver(state: &mut State, store: &mut Store, station: &str, out: Out) -> Result<()> {
    match out {
        Out::Key(key) => dispatch(state, store, station, route_now(state, &key)),
        Out::Scan { text, typed } => {
            for _ in 0..typed {
                dispatch(state, store, station, Some(Msg::Edit(Edit::Backspace)))?;
            }
            dispatch(state, store, station, Some(Msg::Scan(text)))
        }
        Out::CutOff(text) => {
            state.status = Some(Status::error(format!(
                "A scan began but did not end (no suffix came); scan again. Dropped: '{text}'."
            )));
            Ok(())
        }
    }
}
