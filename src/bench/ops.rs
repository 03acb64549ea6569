//! The operations measured, each done the way the terminal does it: through
//! the app's effect runner (the same store calls as a key press), or
//! `Store::execute` for a save. `cargo bench` and `traveler bench` share them.

use super::data::{HEAVY_SERIAL, PROBE_SERIAL, SEARCH_SERIAL};
use crate::app::effect::{BoardQuery, Effect};
use crate::app::msg::Msg;
use crate::app::run_effects::Runner;
use crate::app::state::BOARD_PAGE;
use crate::domain::*;
use crate::store::{audit::Verification, AttentionCutoffs, RunFilter, Store};
use anyhow::{anyhow, bail, Result};
use chrono::{Duration, Utc};

/// The generated operator, as the terminal would have them signed in.
pub fn operator() -> Actor {
    Actor {
        login: "operator".into(),
        name: "Generated operator".into(),
        roles: vec![OPERATOR.into()],
        station: "bench".into(),
        reauthenticated: false,
    }
}

fn runner(store: &mut Store) -> Runner<'_> {
    Runner {
        store,
        station: "bench".into(),
    }
}

fn board_query(search: Option<&str>) -> BoardQuery {
    BoardQuery {
        filter: RunFilter {
            state: None,
            search: search.map(str::to_string),
            ..RunFilter::default()
        },
        // As the terminal asks: the all tab lists runs needing attention first.
        attention_first: search.is_none().then(|| AttentionCutoffs {
            stale_before: Utc::now() - Duration::hours(48),
            sessions_before: Utc::now() - Duration::hours(12),
        }),
        after: None,
        limit: BOARD_PAGE,
        generation: 0,
        stuck_before: Utc::now() - Duration::hours(48),
    }
}

fn expect_loaded(msg: Option<Msg>) -> Result<Msg> {
    match msg {
        Some(Msg::LoadFailed(why)) => Err(anyhow!(why)),
        Some(msg) => Ok(msg),
        None => bail!("The effect answered nothing."),
    }
}

/// The board: first page, counts per state, stuck count (one `LoadBoard`).
pub fn board_load(store: &mut Store) -> Result<()> {
    expect_loaded(runner(store).run(Effect::LoadBoard(board_query(None))))?;
    Ok(())
}

/// The board's held tab (a blocker tab): the runs with a marker of that
/// kind, newest first, from the side table's kind index.
pub fn board_held_tab_load(store: &mut Store) -> Result<()> {
    let mut query = board_query(None);
    query.filter.marker = Some(crate::store::board_index::MarkerKind::OnHold);
    query.attention_first = None;
    query.filter.open_only = true;
    expect_loaded(runner(store).run(Effect::LoadBoard(query)))?;
    Ok(())
}

/// Typing `SEARCH_SERIAL` into the board's search, key by key: one board
/// load per key, as the terminal reloads on every edit.
pub fn serial_search_keys(store: &mut Store) -> Result<()> {
    let mut runner = runner(store);
    for end in 1..=SEARCH_SERIAL.len() {
        expect_loaded(runner.run(Effect::LoadBoard(board_query(Some(&SEARCH_SERIAL[..end])))))?;
    }
    Ok(())
}

/// Keys typed by `serial_search_keys`.
pub fn search_keys() -> usize {
    SEARCH_SERIAL.len()
}

/// A run's id by serial.
pub fn run_id(store: &Store, serial: &str) -> Result<RunId> {
    store
        .find_run(serial)?
        .ok_or_else(|| anyhow!("The benchmark database has no run {serial}."))
}

/// Opening a run: its document, issues and history (one `LoadRun`).
pub fn open_run(store: &mut Store, run: RunId) -> Result<()> {
    match expect_loaded(runner(store).run(Effect::LoadRun {
        run,
        open_step: None,
    }))? {
        Msg::RunLoaded { .. } => Ok(()),
        other => bail!("Opening run {run} answered {other:?}."),
    }
}

/// The probed run's id (for `open_run`).
pub fn probe_run(store: &Store) -> Result<RunId> {
    run_id(store, PROBE_SERIAL)
}

/// The run with many values (for `save_value`).
pub fn heavy_run(store: &Store) -> Result<RunId> {
    run_id(store, HEAVY_SERIAL)
}

/// The quality screen's lists for a quality engineer (one `LoadQuality`).
pub fn quality_load(store: &mut Store) -> Result<()> {
    expect_loaded(runner(store).run(Effect::LoadQuality {
        roles: vec![QUALITY.into()],
    }))?;
    Ok(())
}

/// A fresh run with its bore step checked in, ready for a first value.
pub fn fresh_run(store: &mut Store, serial: &str) -> Result<RunId> {
    let supervisor = Actor {
        login: "supervisor".into(),
        roles: vec![SUPERVISOR.into()],
        ..operator()
    };
    store
        .execute(request(
            supervisor,
            None,
            Command::CreateRun {
                procedure_key: "PUMP-ASSY".into(),
                serial: serial.into(),
                title: None,
            },
        ))
        .map_err(|e| anyhow!("Creating the run {serial} failed: {e}"))?;
    let run = run_id(store, serial)?;
    store
        .execute(request(
            operator(),
            Some(run),
            Command::CheckIn {
                step: "bore".into(),
            },
        ))
        .map_err(|e| anyhow!("Checking in on {serial} failed: {e}"))?;
    Ok(run)
}

fn request(actor: Actor, run: Option<RunId>, command: Command) -> Request {
    Request {
        actor,
        run,
        command,
        seen: Seen::default(),
        now: Utc::now(),
    }
}

/// Saves the bore diameter on `run` (a correction when `correction`).
pub fn save_value(store: &mut Store, run: RunId, n: u64, correction: bool) -> Result<()> {
    store
        .execute(request(
            operator(),
            Some(run),
            Command::SetField {
                step: "bore".into(),
                field: "Bore diameter".into(),
                raw: format!("25.0{}", n % 5),
                file_sha256: None,
                reason: correction.then(|| "re-measured".to_string()),
                void_approval: false,
            },
        ))
        .map_err(|e| anyhow!("Saving a value on run {run} failed: {e}"))?;
    Ok(())
}

/// Verifies the whole audit chain; an error if it is broken.
pub fn audit_verify(store: &mut Store) -> Result<()> {
    match store.verify_audit()? {
        Verification::Intact(_) => Ok(()),
        Verification::Broken { seq, why } => bail!("The audit chain breaks at {seq}: {why}"),
    }
}
