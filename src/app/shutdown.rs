//! Stopping the terminal UI when it is told to (SIGTERM) or its terminal goes
//! away (SIGHUP, or the terminal's input hanging up without a signal).
//!
//! The event loop polls `Shutdown::requested` between events and leaves
//! cleanly, restoring the terminal. A vanished terminal can trap the loop
//! inside crossterm's reader (it re-reads a hung-up descriptor forever), so
//! a watcher thread gives the loop a short grace period and then ends the
//! process itself: nothing acknowledged is lost (every action is committed
//! before it is acknowledged), and there is no terminal left to restore.

use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the event loop has to stop by itself once a stop is requested.
const GRACE: Duration = Duration::from_millis(1500);
/// How often the watcher looks at the terminal's input.
const WATCH_EVERY: Duration = Duration::from_millis(200);

/// Why the terminal UI stopped, when it was not the user's own quit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// SIGTERM: someone asked the process to stop.
    Terminated,
    /// SIGHUP or a hung-up input: the terminal is gone.
    HungUp,
}

impl StopReason {
    fn code(self) -> usize {
        match self {
            StopReason::Terminated => signal_hook::consts::SIGTERM as usize,
            StopReason::HungUp => signal_hook::consts::SIGHUP as usize,
        }
    }

    fn from_code(code: usize) -> Option<StopReason> {
        match code {
            c if c == StopReason::Terminated.code() => Some(StopReason::Terminated),
            c if c == StopReason::HungUp.code() => Some(StopReason::HungUp),
            _ => None,
        }
    }

    /// The sentence printed once the terminal is given back.
    pub fn sentence(self) -> &'static str {
        match self {
            StopReason::Terminated => {
                "traveler was asked to stop (SIGTERM) and closed; every saved action stays saved, text not yet saved was discarded."
            }
            StopReason::HungUp => {
                "traveler's terminal closed (hang-up) and traveler closed with it; every saved action stays saved, text not yet saved was discarded."
            }
        }
    }
}

/// Signal handlers and the watcher thread, for one run of the terminal UI.
pub struct Shutdown {
    requested: Arc<AtomicUsize>,
    loop_done: Arc<AtomicBool>,
    signal_ids: Vec<signal_hook::SigId>,
}

impl Shutdown {
    /// Installs the SIGTERM and SIGHUP handlers and starts the watcher.
    pub fn install() -> Result<Shutdown> {
        let requested = Arc::new(AtomicUsize::new(0));
        let loop_done = Arc::new(AtomicBool::new(false));
        let mut signal_ids = Vec::new();
        for reason in [StopReason::Terminated, StopReason::HungUp] {
            let signal = reason.code() as i32;
            let id = signal_hook::flag::register_usize(signal, requested.clone(), reason.code())
                .context("Could not set up the stop signals")?;
            signal_ids.push(id);
        }
        let watcher = Watcher {
            requested: requested.clone(),
            loop_done: loop_done.clone(),
        };
        std::thread::Builder::new()
            .name("terminal watcher".to_string())
            .spawn(move || watcher.watch())
            .context("Could not start the terminal watcher")?;
        Ok(Shutdown {
            requested,
            loop_done,
            signal_ids,
        })
    }

    /// Whether a stop was requested, and why.
    pub fn requested(&self) -> Option<StopReason> {
        StopReason::from_code(self.requested.load(Ordering::SeqCst))
    }
}

impl Drop for Shutdown {
    fn drop(&mut self) {
        self.loop_done.store(true, Ordering::SeqCst);
        for id in self.signal_ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

struct Watcher {
    requested: Arc<AtomicUsize>,
    loop_done: Arc<AtomicBool>,
}

impl Watcher {
    fn watch(self) {
        let mut stop_seen: Option<Instant> = None;
        while !self.loop_done.load(Ordering::SeqCst) {
            if input_hung_up(WATCH_EVERY) {
                // Keep a signal's own reason if one came first.
                let _ = self.requested.compare_exchange(
                    0,
                    StopReason::HungUp.code(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                std::thread::sleep(WATCH_EVERY);
            }
            let Some(reason) = StopReason::from_code(self.requested.load(Ordering::SeqCst)) else {
                continue;
            };
            let since = *stop_seen.get_or_insert_with(Instant::now);
            if since.elapsed() >= GRACE && !self.loop_done.load(Ordering::SeqCst) {
                // The event loop is stuck (a dead terminal's reader spins):
                // end the process from here.
                ratatui::restore();
                eprintln!("{}", reason.sentence());
                std::process::exit(128 + reason.code() as i32);
            }
        }
    }
}

/// Waits up to `wait` for the terminal's input (standard input, which the
/// UI insists is a terminal) to report a hang-up.
fn input_hung_up(wait: Duration) -> bool {
    let mut fds = [libc::pollfd {
        fd: libc::STDIN_FILENO,
        // No events asked for: POLLHUP and POLLNVAL are always reported.
        events: 0,
        revents: 0,
    }];
    let millis = wait.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: `fds` is a valid array of one pollfd for the length given.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, millis) };
    ready > 0 && fds[0].revents & (libc::POLLHUP | libc::POLLNVAL | libc::POLLERR) != 0
}
