//! A user replacing a secret someone else set (an admin's reset) by one of
//! their own, as the terminal asks right after such a sign-in.

use super::auth::{hash_secret, secret_matches, AuthError};
use super::{ExecError, Store};
use crate::domain::{Actor, Command, Request, Seen, Time};

impl Store {
    /// Sets `actor`'s new secret. Refused, as a sentence, when it is not a
    /// valid secret or is the very one they were given.
    pub fn replace_given_secret(
        &mut self,
        actor: &Actor,
        new_secret: &str,
        now: Time,
    ) -> Result<(), AuthError> {
        let user = self
            .user(&actor.login)?
            .ok_or_else(|| AuthError::Refused(format!("There is no user '{}'.", actor.login)))?;
        if secret_matches(new_secret, &user.secret_hash) {
            let by = user.secret_set_by.as_deref().unwrap_or("someone else");
            return Err(AuthError::Refused(format!(
                "The new PIN must differ from the one {by} set."
            )));
        }
        let secret_hash = hash_secret(new_secret).map_err(|e| AuthError::Refused(e.to_string()))?;
        let request = Request {
            actor: actor.clone(),
            run: None,
            command: Command::SetUserSecret {
                login: actor.login.clone(),
                secret_hash,
            },
            seen: Seen::default(),
            now,
        };
        match self.execute(request) {
            Ok(_) => Ok(()),
            Err(ExecError::Refused(r)) => Err(AuthError::Refused(r.to_string())),
            Err(ExecError::Failed(e)) => Err(AuthError::Failed(e)),
        }
    }
}
