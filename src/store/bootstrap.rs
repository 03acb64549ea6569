//! A new database's first admin: added only while the database has no user,
//! judged in the same IMMEDIATE transaction as the add, so of several `init`
//! runs on one file exactly one wins.

use super::execute::execute_in;
use super::{ExecError, Store};
use crate::domain::{Event, Request};
use anyhow::anyhow;
use rusqlite::TransactionBehavior;

impl Store {
    /// Runs `req` (the first admin's `AddUser`) only if no user exists yet;
    /// otherwise fails saying the database is already set up.
    pub fn add_first_user(&mut self, req: Request) -> Result<Vec<Event>, ExecError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let users: i64 = tx.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        if users > 0 {
            return Err(ExecError::Failed(anyhow!(
                "The database {} already exists and has users; `init` only sets up a new one.",
                self.path.display()
            )));
        }
        let events = execute_in(&tx, req)?.events;
        tx.commit()?;
        Ok(events)
    }
}
