//! Runs effects against the store and turns each answer into a message.
//! This is the only part of the TUI that touches the database; every change
//! goes through `Store::execute` (domain rules, audit rows).

use super::effect::{BoardQuery, Effect};
use super::msg::{BoardPage, ExecTag, Msg, Outcome};
use super::state::{
    QualityData, ReportsData, RunBundle, State, HISTORY_ROWS, SPC_POINTS, TREND_RUNS,
};
use super::update::update;
use crate::analytics::cycle_time::cycle_time;
use crate::analytics::spc::spc;
use crate::domain::{Actor, Command, Request, Seen, Time};
use crate::store::{sqlite_errors, AuthError, ExecError, Store};
use chrono::Utc;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

pub struct Runner<'a> {
    pub store: &'a mut Store,
    pub station: String,
}

fn outcome_of(db: &Path, result: Result<Vec<crate::domain::Event>, ExecError>) -> Outcome {
    match result {
        Ok(events) => Outcome::Done(events),
        Err(ExecError::Refused(r)) => Outcome::Refused {
            reasons: r.reasons,
            conflict: r.conflict,
        },
        Err(ExecError::Failed(e)) => Outcome::Failed(sentence(db, &e)),
    }
}

/// A failure as the user reads it: SQLite's worded by `sqlite_errors`.
fn sentence(db: &Path, e: &anyhow::Error) -> String {
    sqlite_errors::describe(e, db).unwrap_or_else(|| format!("{e:#}"))
}

/// Feeds one message to `update`, then runs its effects, feeding their
/// answers back until nothing is left to do (what the driver does for every
/// key; tests drive the app against a real store the same way).
pub fn dispatch(state: &mut State, runner: &mut Runner, msg: Msg) {
    let mut queue = VecDeque::from([msg]);
    while let Some(msg) = queue.pop_front() {
        for effect in update(state, msg) {
            if effect == Effect::Quit {
                state.quit = true;
                continue;
            }
            // The header's quality counts follow every load (not every frame).
            let refreshes = matches!(
                effect,
                Effect::LoadBoard(_) | Effect::LoadRun { .. } | Effect::LoadQuality { .. }
            );
            if let Some(answer) = runner.run(effect) {
                queue.push_back(answer);
            }
            if refreshes {
                if let Some(actor) = &state.session {
                    queue.push_back(runner.quality_counts(actor));
                }
            }
        }
    }
}

impl Runner<'_> {
    /// Runs one effect; `None` for effects that answer nothing (Quit).
    pub fn run(&mut self, effect: Effect) -> Option<Msg> {
        let now = Utc::now();
        Some(match effect {
            Effect::Quit => return None,
            Effect::Authenticate { login, secret } => {
                match self
                    .store
                    .authenticate(&login, &secret, &self.station, now, false)
                {
                    Ok(actor) => match self.store.secret_set_by(&actor.login) {
                        Ok(Some(set_by)) => Msg::NewPinNeeded { actor, set_by },
                        Ok(None) => Msg::SignedIn(Ok(actor)),
                        Err(e) => Msg::SignedIn(Err(sentence(self.store.path(), &e))),
                    },
                    Err(e) => Msg::SignedIn(Err(auth_sentence(self.store.path(), &e))),
                }
            }
            Effect::CloseSessionsOnLeaving { actor, cause } => {
                return self.close_sessions_on_leaving(&actor, cause, now);
            }
            Effect::ReplaceGivenPin { actor, secret } => {
                match self.store.replace_given_secret(&actor, &secret, now) {
                    Ok(()) => Msg::SignedIn(Ok(actor)),
                    Err(e) => Msg::NewPinRefused(auth_sentence(self.store.path(), &e)),
                }
            }
            Effect::LoadBoard(query) => match self.board(&query) {
                Ok(page) => Msg::BoardLoaded(page),
                Err(e) => Msg::LoadFailed(format!(
                    "Could not load the run board: {}",
                    sentence(self.store.path(), &e)
                )),
            },
            Effect::FindRun { reference } => match self.store.find_run(&reference) {
                Ok(run) => Msg::RunFound { reference, run },
                Err(e) => Msg::LoadFailed(format!(
                    "Could not look up '{reference}': {}",
                    sentence(self.store.path(), &e)
                )),
            },
            Effect::LoadRun { run, open_step } => match self.run_bundle(run) {
                Ok(Some(bundle)) => Msg::RunLoaded {
                    bundle: Box::new(bundle),
                    open_step,
                },
                Ok(None) => Msg::LoadFailed(format!("Run {run} is not in the database.")),
                Err(e) => Msg::LoadFailed(format!(
                    "Could not load run {run}: {}",
                    sentence(self.store.path(), &e)
                )),
            },
            Effect::LoadQuality { roles } => match self.quality(&roles) {
                Ok(data) => Msg::QualityLoaded(data),
                Err(e) => Msg::LoadFailed(format!(
                    "Could not load the quality lists: {}",
                    sentence(self.store.path(), &e)
                )),
            },
            Effect::CountQuality { actor } => self.quality_counts(&actor),
            Effect::LoadReports => match self.reports() {
                Ok(data) => Msg::ReportsLoaded(Box::new(data)),
                Err(e) => Msg::LoadFailed(format!(
                    "Could not load the reports: {}",
                    sentence(self.store.path(), &e)
                )),
            },
            Effect::LoadSpc(field) => match self.store.field_series(
                &field.procedure,
                &field.step,
                &field.field,
                Some(SPC_POINTS),
            ) {
                Ok(series) => Msg::SpcLoaded(Box::new(spc(
                    &field.procedure,
                    &field.step,
                    &field.field,
                    series,
                ))),
                Err(e) => Msg::LoadFailed(format!(
                    "Could not load the values of {}: {}",
                    field.field,
                    sentence(self.store.path(), &e)
                )),
            },
            Effect::Execute {
                tag,
                actor,
                run,
                command,
                seen,
            } => self.execute(tag, actor, run, command, seen, now),
            Effect::SignOff {
                login,
                secret,
                run,
                step,
                field,
                meaning,
                comment,
                seen,
            } => {
                let command = Command::SignOff {
                    step,
                    field,
                    meaning,
                    comment,
                };
                self.signed(&login, &secret, Some(run), command, seen, now)
            }
            Effect::Signed {
                login,
                secret,
                run,
                command,
                seen,
            } => self.signed(&login, &secret, run, command, seen, now),
            Effect::AttachFile {
                actor,
                run,
                step,
                field,
                path,
                seen,
                reason,
                void_approval,
            } => {
                let tag = ExecTag::Field {
                    step: step.clone(),
                    field: field.clone(),
                };
                let source = std::path::Path::new(&path);
                match self.store.stage_attachment(source) {
                    Ok(staged) => {
                        let command = Command::SetField {
                            step,
                            field,
                            raw: staged.stored_path().to_string_lossy().into_owned(),
                            file_sha256: Some(staged.sha256().to_string()),
                            reason,
                            void_approval,
                        };
                        let request = Request {
                            actor,
                            run: Some(run),
                            command,
                            seen,
                            now,
                        };
                        let result = self.store.execute_attaching(request, staged);
                        Msg::Executed {
                            tag,
                            outcome: outcome_of(self.store.path(), result),
                        }
                    }
                    Err(e) => Msg::Executed {
                        tag,
                        outcome: Outcome::Failed(format!(
                            "{}.",
                            sentence(self.store.path(), &e).trim_end_matches('.')
                        )),
                    },
                }
            }
        })
    }

    /// Closes what `actor` left open, one step at a time through the domain
    /// (which refuses when the org's setting for `cause` is off). Says how
    /// many closed; nothing when none did.
    fn close_sessions_on_leaving(
        &mut self,
        actor: &Actor,
        cause: crate::domain::LeaveCause,
        now: Time,
    ) -> Option<Msg> {
        let open = self.store.open_sessions_of(&actor.login).ok()?;
        let mut count = 0;
        for (run, step) in open {
            let request = Request {
                actor: actor.clone(),
                run: Some(run),
                command: Command::CloseSessionsOnLeaving { step, cause },
                seen: Seen::default(),
                now,
            };
            match self.store.execute(request) {
                Ok(events) => count += events.len(),
                Err(ExecError::Refused(_)) => return None,
                Err(ExecError::Failed(_)) => continue,
            }
        }
        (count > 0).then(|| Msg::SessionsClosed {
            login: actor.login.clone(),
            count,
        })
    }

    /// Checks the signer's login and secret again, then runs the command as
    /// them; a wrong secret comes back as the form's refusal.
    fn signed(
        &mut self,
        login: &str,
        secret: &str,
        run: Option<i64>,
        command: Command,
        seen: Seen,
        now: Time,
    ) -> Msg {
        match self
            .store
            .authenticate(login, secret, &self.station, now, true)
        {
            Ok(signer) => self.execute(ExecTag::Form, signer, run, command, seen, now),
            Err(e) => Msg::Executed {
                tag: ExecTag::Form,
                outcome: Outcome::Refused {
                    reasons: vec![auth_sentence(self.store.path(), &e)],
                    conflict: false,
                },
            },
        }
    }

    fn execute(
        &mut self,
        tag: ExecTag,
        actor: Actor,
        run: Option<i64>,
        command: Command,
        seen: Seen,
        now: Time,
    ) -> Msg {
        let request = Request {
            actor,
            run,
            command,
            seen,
            now,
        };
        let result = self.store.execute(request);
        let outcome = outcome_of(self.store.path(), result);
        Msg::Executed { tag, outcome }
    }

    fn board(&self, query: &BoardQuery) -> anyhow::Result<BoardPage> {
        let (rows, next) = match &query.attention_first {
            Some(cutoffs) => self
                .store
                .runs_attention_first(cutoffs, query.after, query.limit)?,
            None => {
                let rows =
                    self.store
                        .list_runs(&query.filter, query.after.map(|c| c.id), query.limit)?;
                let next = rows.last().map(|r| crate::store::PageCursor {
                    id: r.id,
                    in_attention: false,
                });
                (rows, next)
            }
        };
        Ok(BoardPage {
            generation: query.generation,
            append: query.after.is_some(),
            full: rows.len() == query.limit,
            next,
            rows,
            counts: self.store.count_runs_by_state()?,
            stuck: self.store.count_stuck(query.stuck_before)?,
            settings: self.store.settings()?,
        })
    }

    fn run_bundle(&self, run: i64) -> anyhow::Result<Option<RunBundle>> {
        let Some(doc) = self.store.run(run)? else {
            return Ok(None);
        };
        let history = self.store.audit_log(Some(run), HISTORY_ROWS)?;
        let logins: BTreeSet<&str> = history.iter().map(|row| row.user.as_str()).collect();
        let mut people = BTreeMap::new();
        for login in logins {
            if let Some(user) = self.store.user(login)? {
                people.insert(login.to_string(), user.name);
            }
        }
        Ok(Some(RunBundle {
            issues: self.store.run_issues(run)?,
            history,
            people,
            settings: self.store.settings()?,
            trends: trends(
                self.store
                    .recent_numbers(&doc.procedure_key, run, TREND_RUNS)?,
            ),
            run: doc,
        }))
    }

    fn reports(&self) -> anyhow::Result<ReportsData> {
        let runs = self
            .store
            .finished_runs(&crate::store::RunWindow::default())?;
        Ok(ReportsData {
            cycle: cycle_time(&runs),
            fields: self.store.numeric_fields()?,
        })
    }

    /// The header's counts for `actor`: sign-offs on their roles, and the
    /// deviations and issues only when their roles may act on them.
    pub fn quality_counts(&self, actor: &Actor) -> Msg {
        let may = |roles: &[&str]| roles.iter().any(|r| actor.has_role(r));
        match self.store.quality_counts(
            &actor.roles,
            may(crate::domain::QUALITY_SUPERVISOR_ADMIN),
            may(crate::domain::QUALITY_ADMIN),
        ) {
            Ok(counts) => Msg::QualityCountsLoaded(counts),
            Err(e) => Msg::LoadFailed(format!(
                "Could not count the quality queue: {}",
                sentence(self.store.path(), &e)
            )),
        }
    }

    fn quality(&self, roles: &[String]) -> anyhow::Result<QualityData> {
        // Sign-offs waiting on *this user's* roles; a user with no role sees none
        // (an empty list would mean "all roles" to the query).
        let signoffs = if roles.is_empty() {
            Vec::new()
        } else {
            self.store.pending_signoffs(roles)?
        };
        let issues = self.store.open_issues()?;
        Ok(QualityData {
            serials: self.store.serials_of(issues.iter().filter_map(|i| i.run))?,
            issues,
            deviations: self.store.pending_deviations()?,
            signoffs,
        })
    }
}

/// The newest `SPC_POINTS` values of each trend.
fn trends(
    mut all: std::collections::BTreeMap<(String, String), Vec<f64>>,
) -> std::collections::BTreeMap<(String, String), Vec<f64>> {
    for values in all.values_mut() {
        let skip = values.len().saturating_sub(SPC_POINTS);
        values.drain(..skip);
    }
    all
}

fn auth_sentence(db: &Path, e: &AuthError) -> String {
    match e {
        AuthError::Refused(s) => s.clone(),
        AuthError::Failed(e) => format!("Could not check the PIN: {}", sentence(db, e)),
    }
}
