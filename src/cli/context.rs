//! What every CLI command shares: the open store, the acting user, the
//! station name, and how a command's outcome becomes output and an exit code.

use crate::domain::{
    escape_unprintable, number_in_run_ref, parse_run_ref, Actor, Command, Event, Refusal, Request,
    RunId, RunRef, Seen, RUN_REF_FORMS,
};
use crate::store::bounded_file::{read_text, SizeLimit};
use crate::store::{AuthError, ExecError, StagedAttachment, Store};
use crate::ui::event_sentence::{sentence, Names};
use anyhow::anyhow;
use chrono::Utc;

/// Why a CLI command did not succeed; each maps to its own exit code.
#[derive(Debug)]
pub enum CliError {
    /// The rules refused the action: every reason; nothing was written.
    Refused(Refusal),
    /// Anything else, as a sentence.
    Failed(anyhow::Error),
    /// The output already said what is wrong (e.g. `check`'s report); only
    /// the exit code is left to give.
    Reported(u8),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            CliError::Refused(_) => 3,
            CliError::Reported(code) => *code,
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Failed(e)
    }
}

impl From<ExecError> for CliError {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Refused(r) => CliError::Refused(r),
            ExecError::Failed(e) => CliError::Failed(e),
        }
    }
}

impl From<AuthError> for CliError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Refused(s) => CliError::Refused(Refusal::one(s)),
            AuthError::Failed(e) => CliError::Failed(e),
        }
    }
}

pub type CliResult = Result<(), CliError>;

pub struct Ctx {
    pub store: Store,
    pub json: bool,
    pub station: String,
    pub user: Option<String>,
    pub pin: Option<String>,
    /// The station's `max_procedure_mb`.
    pub max_procedure_mb: u32,
}

impl Ctx {
    /// The acting user, authenticated by the PIN given with this command.
    /// Every CLI action carries its secret, so it counts as re-entered.
    pub fn actor(&mut self) -> Result<Actor, CliError> {
        let login = self.user.clone().ok_or_else(|| {
            anyhow!("This action changes data: say who you are with --user LOGIN (or TRAVELER_USER) before the command.")
        })?;
        let pin = self.pin.clone().ok_or_else(|| {
            anyhow!("This action changes data: give your PIN with --pin PIN (or TRAVELER_PIN) before the command.")
        })?;
        Ok(self
            .store
            .authenticate(&login, &pin, &self.station, Utc::now(), true)?)
    }

    /// Runs one command as the acting user and returns its events.
    pub fn exec(&mut self, run: Option<RunId>, command: Command) -> Result<Vec<Event>, CliError> {
        let actor = self.actor()?;
        self.exec_as(actor, run, command)
    }

    /// Runs one command as `actor`, already authenticated.
    pub fn exec_as(
        &mut self,
        actor: Actor,
        run: Option<RunId>,
        command: Command,
    ) -> Result<Vec<Event>, CliError> {
        let req = Request {
            actor,
            run,
            command,
            seen: Seen::default(),
            now: Utc::now(),
        };
        Ok(self.store.execute(req)?)
    }

    /// Runs a command that names a staged attachment, kept only if accepted.
    pub fn exec_attaching(
        &mut self,
        actor: Actor,
        run: Option<RunId>,
        command: Command,
        staged: StagedAttachment,
    ) -> Result<Vec<Event>, CliError> {
        let req = Request {
            actor,
            run,
            command,
            seen: Seen::default(),
            now: Utc::now(),
        };
        Ok(self.store.execute_attaching(req, staged)?)
    }

    /// A procedure-format file (procedure import, redline --add-step), read
    /// only as far as the station's `max_procedure_mb`.
    pub fn read_procedure_text(
        &self,
        path: &std::path::Path,
        what: &str,
    ) -> Result<String, CliError> {
        let limit = SizeLimit {
            megabytes: self.max_procedure_mb,
            setting: "max_procedure_mb",
        };
        Ok(read_text(path, what, limit)?)
    }

    /// A run named as `#12`, `run:12` or by its unit's serial. A number
    /// that is no serial is not taken for a run id: the sentence asks
    /// whether the run was meant.
    pub fn run_ref(&self, reference: &str) -> Result<RunId, CliError> {
        let parsed = parse_run_ref(reference).map_err(|e| CliError::Failed(anyhow!(e)))?;
        if let Some(id) = self.store.resolve_run(&parsed)? {
            return Ok(id);
        }
        let shown = escape_unprintable(reference);
        let sentence = match parsed {
            RunRef::Id(id) => format!("There is no run #{id} (see `traveler run list`)."),
            RunRef::Serial(_) => match number_in_run_ref(reference) {
                Some(n) if self.store.resolve_run(&RunRef::Id(n))?.is_some() => format!(
                    "There is no unit serial '{shown}'. Did you mean run #{n}? ({RUN_REF_FORMS})."
                ),
                Some(_) => format!(
                    "'{shown}' is neither a unit serial nor a run id: {RUN_REF_FORMS} (see `traveler run list`)."
                ),
                None => format!(
                    "There is no run on a unit serial '{shown}': {RUN_REF_FORMS} (see `traveler run list`)."
                ),
            },
        };
        Err(CliError::Failed(anyhow!(sentence)))
    }

    /// Prints what a successful action did: one line per event, or JSON.
    pub fn report(&self, events: &[Event], run: Option<RunId>) -> CliResult {
        if self.json {
            out(&(serde_json::to_string_pretty(events).map_err(anyhow::Error::from)? + "\n"));
        } else {
            // One sentence per event, as the run history says it, with the
            // steps named from the run as it now stands.
            let run_doc = match run {
                Some(id) => self.store.run(id)?,
                None => None,
            };
            let people = std::collections::BTreeMap::new();
            let names = Names {
                run: run_doc.as_ref(),
                people: &people,
            };
            let mut text = String::new();
            for event in events {
                push_line(&mut text, &sentence(event, &names));
            }
            out(&text);
        }
        Ok(())
    }

    /// Prints a value as JSON when --json was given, else the text.
    pub fn print<T: serde::Serialize>(
        &self,
        value: &T,
        text: impl FnOnce() -> String,
    ) -> CliResult {
        print_as(self.json, value, text)
    }
}

/// `value` as pretty JSON when `json`, else the text `text` makes.
pub fn print_as<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> CliResult {
    if json {
        out(&(serde_json::to_string_pretty(value).map_err(anyhow::Error::from)? + "\n"));
    } else {
        out(&text());
    }
    Ok(())
}

/// Appends one printed line to `out`. The line is escaped whole (see
/// [`escape_unprintable`]): a line break, carriage return or escape sequence
/// in stored text shows as `\n`, `\r`, `\u{1b}` and cannot forge another
/// line or steer the terminal. Every text printout is built from these.
pub fn push_line(out: &mut String, line: &str) {
    out.push_str(&escape_unprintable(line));
    out.push('\n');
}

/// Text of several lines, each escaped (an error that lists problems).
pub fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| escape_unprintable(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes to standard output; a closed pipe (`| head`) ends the output
/// quietly instead of panicking.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}
