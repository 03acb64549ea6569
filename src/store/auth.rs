//! Secrets: argon2 hashes, verification, and lockout after repeated failures
//! (the counter and the lock are domain events, so every failure is audited).

use super::world::{load_settings, load_user};
use super::{ExecError, Store};
use crate::domain::{Actor, Command, Request, Seen, Time};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rusqlite::Connection;

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
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("Could not hash the secret: {e}"))
}

fn secret_matches(secret: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

const WRONG: &str = "Unknown login or wrong PIN.";

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
    /// Checks a login and secret. A wrong secret is recorded (and audited);
    /// enough of them in a row lock the login for the configured minutes.
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
        let user = match load_user(&self.conn, login)? {
            Some(u) if u.active => u,
            Some(_) => {
                return Err(AuthError::Refused(format!(
                    "The login '{login}' is deactivated; ask an admin."
                )))
            }
            None => return Err(AuthError::Refused(WRONG.to_string())),
        };
        if let Some(until) = user.locked_until {
            if until > now {
                return Err(AuthError::Refused(format!(
                    "The login '{login}' is locked until {} UTC after too many wrong PINs.",
                    until.format("%H:%M")
                )));
            }
        }
        let actor = Actor {
            login: user.login.clone(),
            name: user.name.clone(),
            roles: user.roles.clone(),
            station: station.to_string(),
            reauthenticated,
        };
        if !secret_matches(secret, &user.secret_hash) {
            self.record_login(&actor, now, false)?;
            let settings = load_settings(&self.conn)?;
            let after = load_user(&self.conn, login)?;
            let left = after
                .as_ref()
                .map(|u| settings.lockout_attempts.saturating_sub(u.failed_attempts))
                .unwrap_or(0);
            return Err(AuthError::Refused(if left == 0 {
                format!(
                    "Wrong PIN. The login '{login}' is now locked for {} minutes.",
                    settings.lockout_minutes
                )
            } else {
                // The same sentence as for an unknown login, so a wrong guess
                // does not tell which logins exist.
                WRONG.to_string()
            }));
        }
        if user.failed_attempts > 0 || user.locked_until.is_some() {
            self.record_login(&actor, now, true)?;
        }
        Ok(actor)
    }

    /// Who set `login`'s current secret, when it was not the user themself.
    pub fn secret_set_by(&self, login: &str) -> anyhow::Result<Option<String>> {
        Ok(load_user(&self.conn, login)?.and_then(|u| u.secret_set_by))
    }

    fn record_login(&mut self, actor: &Actor, now: Time, success: bool) -> Result<(), AuthError> {
        let login = actor.login.clone();
        let command = if success {
            Command::RecordLoginSuccess { login }
        } else {
            Command::RecordLoginFailure { login }
        };
        let req = Request {
            actor: actor.clone(),
            run: None,
            command,
            seen: Seen::default(),
            now,
        };
        match self.execute(req) {
            Ok(_) => Ok(()),
            Err(ExecError::Refused(r)) => Err(AuthError::Refused(r.to_string())),
            Err(ExecError::Failed(e)) => Err(AuthError::Failed(e)),
        }
    }
}
