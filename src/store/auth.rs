//! Secrets: argon2 hashes, verification, and lockout after repeated failures
//! (the counter and the lock are domain events, so every failure is audited).

use super::execute::execute_in;
use super::world::{load_settings, load_user};
use super::{ExecError, Store};
use crate::domain::{Actor, Command, Request, Seen, Settings, Time};
use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rusqlite::{Connection, TransactionBehavior};
use std::sync::OnceLock;

#[derive(Debug)]
pub enum AuthError {
    /// A sentence for the person at the terminal.
    Refused(String),
    Failed(anyhow::Error),
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::Refused(s) => write!(f, "{s}"),
            AuthError::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for AuthError {}

impl From<anyhow::Error> for AuthError {
    fn from(e: anyhow::Error) -> Self {
        AuthError::Failed(e)
    }
}

/// The shortest secret accepted: a PIN of four characters.
pub const MIN_SECRET_LEN: usize = 4;

/// Memory for hashing a new secret, in KiB (1 MiB). Why this little, and why
/// one pass, is in README.md ("PIN hashing"): a PIN is guarded by the
/// lockout, not by the hash cost.
pub const SECRET_MEMORY_KIB: u32 = 1024;
/// Passes over that memory for a new secret.
pub const SECRET_PASSES: u32 = 1;
/// Lanes for a new secret.
pub const SECRET_LANES: u32 = 1;

/// The argon2id hasher for new secrets. A stored hash is verified with the
/// parameters its PHC string carries, so hashes made with other parameters
/// keep verifying (and are upgraded at the next sign-in, see `needs_rehash`).
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(SECRET_MEMORY_KIB, SECRET_PASSES, SECRET_LANES, None)
        .map_err(|e| anyhow::anyhow!("The secret hash parameters are invalid: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Whether a stored hash was made with other parameters than new secrets get
/// (or another argon2 variant). An unreadable hash is not rehashed: it never
/// verifies, so there is no sign-in to upgrade it at.
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(u32::from(Version::V0x13))
        || params.m_cost() != SECRET_MEMORY_KIB
        || params.t_cost() != SECRET_PASSES
        || params.p_cost() != SECRET_LANES
}

/// An argon2id PHC string for a new secret. A secret shorter than
/// `MIN_SECRET_LEN` characters, or with spaces or control characters, is refused.
pub fn hash_secret(secret: &str) -> anyhow::Result<String> {
    if secret.chars().count() < MIN_SECRET_LEN {
        anyhow::bail!(
            "A PIN needs at least {MIN_SECRET_LEN} characters; the one given has {}.",
            secret.chars().count()
        );
    }
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        anyhow::bail!("A PIN may not contain spaces or control characters.");
    }
    // A fresh random salt comes from the OS (argon2's `getrandom`).
    hasher()?
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("Could not hash the secret: {e}"))
}

pub(super) fn secret_matches(secret: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The one sentence for every refused login, whether the login is unknown,
/// the PIN wrong or the login locked, so a guess never tells which logins
/// exist. It names the lockout so a person who is locked out knows why.
fn refused_sentence(settings: &Settings) -> String {
    format!(
        "Unknown login or wrong PIN, or the login is locked after {} wrong PINs in a row (it unlocks after {} minutes, or when an admin sets a new PIN).",
        settings.lockout_attempts.max(1),
        settings.lockout_minutes
    )
}

/// A hash no secret is expected to match: an unknown login costs the same
/// verification time as a known one, so timing does not tell them apart.
fn unknown_login_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        hasher()
            .ok()
            .and_then(|h| h.hash_password(b"no user has this secret").ok())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// The longest login text kept in the audit trail for an unknown login.
const MAX_AUDITED_LOGIN: usize = 64;

/// The free texts a signature stores with it (a sign-off's comment, a
/// deviation's or disposition's rationale), each with its name in a refusal.
fn signature_texts(command: &Command) -> Vec<(&'static str, &str)> {
    match command {
        Command::SignOff {
            comment: Some(c), ..
        } => vec![("comment", c.as_str())],
        Command::AcceptDeviation { rationale, .. } | Command::SetDisposition { rationale, .. } => {
            vec![("rationale", rationale.as_str())]
        }
        _ => Vec::new(),
    }
}

/// Refusals for signature texts that are the signer's own secret: a PIN
/// typed into the comment box must never reach the immutable trail. The text
/// is checked against the stored hash (not the PIN typed with it), and the
/// refusal never repeats the text. Rule: a text that could not be a secret
/// (shorter than a PIN, or with spaces) is not checked.
pub(super) fn secret_echoes(conn: &Connection, req: &Request) -> anyhow::Result<Vec<String>> {
    let texts: Vec<(&str, &str)> = signature_texts(&req.command)
        .into_iter()
        .map(|(what, text)| (what, text.trim()))
        .filter(|(_, text)| {
            text.chars().count() >= MIN_SECRET_LEN
                && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .collect();
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let Some(signer) = load_user(conn, &req.actor.login)? else {
        return Ok(Vec::new());
    };
    Ok(texts
        .into_iter()
        .filter(|(_, text)| secret_matches(text, &signer.secret_hash))
        .map(|(what, _)| format!("The {what} may not be your PIN."))
        .collect())
}

impl Store {
    /// Checks a login and secret. The check and the failure count happen in
    /// one IMMEDIATE transaction, so parallel guesses are judged one after
    /// another and at most `lockout_attempts` secrets are ever evaluated
    /// before the lock. Every evaluated failure is audited, for unknown
    /// logins too; a locked login's secret is not evaluated at all.
    /// `reauthenticated` marks the actor for commands that demand the secret
    /// again (sign-offs).
    pub fn authenticate(
        &mut self,
        login: &str,
        secret: &str,
        station: &str,
        now: Time,
        reauthenticated: bool,
    ) -> Result<Actor, AuthError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| AuthError::Failed(ExecError::from(e).into_anyhow()))?;
        let verdict = judge(&tx, login, secret, station, now, reauthenticated)?;
        tx.commit()
            .map_err(|e| AuthError::Failed(ExecError::from(e).into_anyhow()))?;
        verdict.map_err(AuthError::Refused)
    }

    /// Who set `login`'s current secret, when it was not the user themself.
    pub fn secret_set_by(&self, login: &str) -> anyhow::Result<Option<String>> {
        Ok(load_user(&self.conn, login)?.and_then(|u| u.secret_set_by))
    }
}

/// The verdict on one login inside the open transaction: the actor, or the
/// sentence to show. Failures recorded here are committed with the verdict.
fn judge(
    tx: &Connection,
    login: &str,
    secret: &str,
    station: &str,
    now: Time,
    reauthenticated: bool,
) -> Result<Result<Actor, String>, AuthError> {
    let settings = load_settings(tx)?;
    let refused = refused_sentence(&settings);
    let Some(user) = load_user(tx, login)? else {
        let _ = secret_matches(secret, unknown_login_hash());
        let mut claimed: String = login
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .take(MAX_AUDITED_LOGIN)
            .collect();
        if claimed.chars().count() < login.chars().count() {
            claimed.push('…');
        }
        let actor = Actor {
            login: claimed.clone(),
            name: String::new(),
            roles: Vec::new(),
            station: station.to_string(),
            reauthenticated: false,
        };
        record_login(
            tx,
            &actor,
            now,
            Command::RecordLoginFailure { login: claimed },
        )?;
        return Ok(Err(refused));
    };
    if user.locked_until.is_some_and(|until| until > now) {
        return Ok(Err(refused));
    }
    let actor = Actor {
        login: user.login.clone(),
        name: user.name.clone(),
        roles: user.roles.clone(),
        station: station.to_string(),
        reauthenticated,
    };
    if !secret_matches(secret, &user.secret_hash) {
        let login = user.login.clone();
        record_login(tx, &actor, now, Command::RecordLoginFailure { login })?;
        return Ok(Err(refused));
    }
    // Only someone who knows the secret learns that the login is deactivated.
    if !user.active {
        return Ok(Err(format!(
            "The login '{login}' is deactivated; ask an admin."
        )));
    }
    if user.failed_attempts > 0 || user.locked_until.is_some() {
        let login = user.login.clone();
        record_login(tx, &actor, now, Command::RecordLoginSuccess { login })?;
    }
    if needs_rehash(&user.secret_hash) {
        // The secret was verified a moment ago and satisfied the rules when
        // it was set; should it not satisfy today's, the old hash stays.
        if let Ok(secret_hash) = hash_secret(secret) {
            record_login(tx, &actor, now, Command::RehashOwnSecret { secret_hash })?;
        }
    }
    Ok(Ok(actor))
}

fn record_login(
    tx: &Connection,
    actor: &Actor,
    now: Time,
    command: Command,
) -> Result<(), AuthError> {
    let req = Request {
        actor: actor.clone(),
        run: None,
        command,
        seen: Seen::default(),
        now,
    };
    match execute_in(tx, req) {
        Ok(_) => Ok(()),
        Err(ExecError::Refused(r)) => Err(AuthError::Refused(r.to_string())),
        Err(ExecError::Failed(e)) => Err(AuthError::Failed(e)),
    }
}
