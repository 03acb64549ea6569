//! The permissions table of SPEC.md, checked first for every command.
//!
//! Roles are additive: a user may act when any of their roles allows it.
//! Custom roles (`witness`, `customer`) only matter for sign-offs: a user
//! whose only role is `witness` may sign a witness sign-off and nothing else.

use super::command::Command;
use super::model::*;

/// Any built-in role may work steps.
pub const WORKERS: &[&str] = &[OPERATOR, QUALITY, SUPERVISOR, ADMIN];
/// Close issues, accept deviations, approve redlines, reopen steps, except requirements.
pub const QUALITY_SUPERVISOR_ADMIN: &[&str] = &[QUALITY, SUPERVISOR, ADMIN];
/// Set a disposition, close an issue.
pub const QUALITY_ADMIN: &[&str] = &[QUALITY, ADMIN];
/// Create and fail runs, edit labour sessions, add parts, receive inventory.
pub const SUPERVISOR_ADMIN: &[&str] = &[SUPERVISOR, ADMIN];
/// Reopen runs, manage users, import and release procedures, change settings.
pub const ADMIN_ONLY: &[&str] = &[ADMIN];

/// Who may do a command, and how the action is named in a refusal.
///
/// Decisions where SPEC is silent or contradicts itself:
/// - Closing an issue needs `quality` or `admin` (SPEC text: "Closing needs
///   `quality`"; the table's supervisor column is read as "not disposition,
///   not close").
/// - Excepting a build requirement is treated like accepting a deviation.
/// - Rework (failed → todo or as a copy), resume, uninstall and cancelling a
///   redline are step work, open to every built-in role (cancel: see redlines).
/// - Adding parts and receiving inventory need `supervisor` or `admin`;
///   importing procedures and changing settings need `admin`.
/// - Recording a login attempt is open to anyone (it is the login itself).
/// - A user may change their own secret; changing another's needs `admin`.
/// - Sign-offs are checked where the field is known (see `signoffs`).
pub fn required_roles(cmd: &Command) -> Option<(&'static [&'static str], &'static str)> {
    use Command::*;
    let r: (&'static [&'static str], &'static str) = match cmd {
        RecordLoginFailure { .. } | RecordLoginSuccess { .. } | SignOff { .. } => return None,
        SetUserSecret { .. } | RehashOwnSecret { .. } => return None,
        // Completion is automatic; re-checking it is no one's privilege.
        RecheckCompletion => return None,
        AddUser { .. } => (ADMIN_ONLY, "Adding a user"),
        SetUserActive { .. } => (ADMIN_ONLY, "Activating or deactivating a user"),
        AddPart { .. } => (SUPERVISOR_ADMIN, "Adding a part"),
        ReceiveInventory { .. } => (SUPERVISOR_ADMIN, "Receiving inventory"),
        ImportProcedure { .. } => (ADMIN_ONLY, "Importing a procedure"),
        ReleaseProcedure { .. } => (ADMIN_ONLY, "Releasing a procedure"),
        SetSetting { .. } => (ADMIN_ONLY, "Changing a setting"),
        CreateRun { .. } => (SUPERVISOR_ADMIN, "Creating a run"),
        FailRun { .. } => (SUPERVISOR_ADMIN, "Failing a run"),
        ReopenRun { .. } => (ADMIN_ONLY, "Reopening a complete run"),
        CheckIn { .. } => (WORKERS, "Checking in"),
        CheckOut { .. } => (WORKERS, "Checking out"),
        CloseSessionsOnLeaving { .. } => (WORKERS, "Closing labour sessions on leaving"),
        Complete { .. } => (WORKERS, "Completing a step"),
        Hold { .. } => (WORKERS, "Holding a step"),
        Resume { .. } => (WORKERS, "Resuming a step"),
        FailStep { .. } => (WORKERS, "Failing a step"),
        Rework { .. } => (WORKERS, "Reworking a step"),
        ReopenStep { .. } => (QUALITY_SUPERVISOR_ADMIN, "Reopening a step"),
        SetField { .. } => (WORKERS, "Filling a field"),
        Install { .. } => (WORKERS, "Installing a part"),
        Uninstall { .. } => (WORKERS, "Uninstalling a part"),
        AddComment { .. } => (WORKERS, "Commenting"),
        AcceptDeviation { .. } => (QUALITY_SUPERVISOR_ADMIN, "Accepting a deviation"),
        ExceptRequirement { .. } => (QUALITY_SUPERVISOR_ADMIN, "Excepting a build requirement"),
        EditLabourSession { .. } => (SUPERVISOR_ADMIN, "Editing a labour session"),
        CloseStaleSession { .. } => (SUPERVISOR_ADMIN, "Closing stale labour sessions"),
        RaiseIssue { .. } => (WORKERS, "Raising an issue"),
        SetDisposition { .. } => (QUALITY_ADMIN, "Setting a disposition"),
        CloseIssue { .. } => (QUALITY_ADMIN, "Closing an issue"),
        ProposeRedline { .. } => (WORKERS, "Proposing a redline"),
        ApproveRedline { .. } => (QUALITY_SUPERVISOR_ADMIN, "Approving a redline"),
        CancelRedline { .. } => (WORKERS, "Cancelling a redline"),
    };
    Some(r)
}

/// "quality, supervisor or admin".
pub fn roles_text(roles: &[&str]) -> String {
    match roles {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn has_text(actor: &Actor) -> String {
    if actor.roles.is_empty() {
        format!("{} has no role", actor.login)
    } else {
        // "operator has the role operator", not "operator has operator".
        let noun = if actor.roles.len() == 1 {
            "the role"
        } else {
            "the roles"
        };
        format!("{} has {noun} {}", actor.login, actor.roles.join(", "))
    }
}

/// Ok when the actor's roles allow the command (sign-offs excepted: they
/// depend on the field's role and are checked by [`may_sign`]).
/// A user whose secret someone else set (an admin's reset) may only replace
/// it with their own; everything else waits. Sign-in bookkeeping is not the
/// user acting, so it is let through.
pub fn own_secret_first(world: &World, actor: &Actor, cmd: &Command) -> Result<(), String> {
    let Some(by) = world
        .users
        .get(&actor.login)
        .and_then(|u| u.secret_set_by.as_deref())
    else {
        return Ok(());
    };
    match cmd {
        Command::SetUserSecret { login, .. } if *login == actor.login => Ok(()),
        Command::RecordLoginFailure { .. }
        | Command::RecordLoginSuccess { .. }
        | Command::RehashOwnSecret { .. } => Ok(()),
        _ => Err(format!(
            "Your PIN was set by {by}: set a new PIN of your own first (the terminal asks for it when you sign in; on the command line `traveler user set-pin {login} --pin NEW`).",
            login = actor.login
        )),
    }
}

pub fn permission(actor: &Actor, cmd: &Command) -> Result<(), String> {
    if let Command::SetUserSecret { login, .. } = cmd {
        if login == &actor.login || actor.has_role(ADMIN) {
            return Ok(());
        }
        return Err(format!(
            "Changing another user's secret needs the admin role; {}.",
            has_text(actor)
        ));
    }
    match required_roles(cmd) {
        None => Ok(()),
        Some((roles, _)) if actor.has_any_role(roles) => Ok(()),
        Some((roles, action)) => Err(format!(
            "{action} needs the {} role; {}.",
            roles_text(roles),
            has_text(actor)
        )),
    }
}

/// Ok when the actor holds the role a sign-off field expects.
pub fn may_sign(actor: &Actor, field: &FieldDef) -> Result<(), String> {
    match field.role.as_deref() {
        Some(role) if actor.has_role(role) => Ok(()),
        Some(role) => Err(format!(
            "Sign-off '{}' expects approval by {role}; {}.",
            field.name,
            has_text(actor)
        )),
        None => Err(format!("Sign-off '{}' names no role.", field.name)),
    }
}
