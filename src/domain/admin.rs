//! People and master data: users, logins, parts, inventory, settings.

use super::command::Command;
use super::decide::{refuse_if_any, Ctx};
use super::event::Event;
use super::model::*;
use super::queries::format_time;
use super::validation::{check_identifier, check_inventory_identifier, check_name};
use super::Refusal;
use chrono::Duration;

pub(crate) fn decide(cx: &Ctx) -> Result<Vec<Event>, Refusal> {
    use Command::*;
    match &cx.req.command {
        AddUser {
            login,
            name,
            roles,
            secret_hash,
        } => add_user(cx, login, name, roles, secret_hash),
        SetUserActive { login, active } => set_active(cx, login, *active),
        SetUserSecret { login, secret_hash } => set_secret(cx, login, secret_hash),
        RecordLoginFailure { login } => login_failure(cx, login),
        RecordLoginSuccess { login } => login_success(cx, login),
        RehashOwnSecret { secret_hash } => rehash_own_secret(cx, secret_hash),
        AddPart {
            number,
            description,
            tracking,
        } => add_part(cx, number, description, *tracking),
        ReceiveInventory {
            part,
            identifier,
            quantity,
            received_as,
        } => receive(cx, part, identifier, *quantity, *received_as),
        SetSetting { key, value } => set_setting(cx, key, value),
        _ => Err(Refusal::one("This is not a people or master-data command.")),
    }
}

fn user<'a>(cx: &Ctx<'a>, login: &str) -> Result<&'a User, Refusal> {
    cx.world
        .users
        .get(login)
        .ok_or_else(|| Refusal::one(format!("There is no user '{login}'.")))
}

/// Add a user (admin): login unique, no spaces; a display name; at least one
/// role, each a lowercase word (`a-z`, `0-9`, `_`, `-`); a secret hash. The
/// first admin of a fresh database is added by the store with a bootstrap
/// actor holding `admin`.
fn add_user(
    cx: &Ctx,
    login: &str,
    name: &str,
    roles: &[String],
    secret_hash: &str,
) -> Result<Vec<Event>, Refusal> {
    let mut reasons = Vec::new();
    if let Err(e) = check_identifier("A login", login) {
        reasons.push(e);
    } else if login.chars().any(char::is_whitespace) {
        reasons.push(format!("Login '{login}' contains spaces."));
    }
    if cx.world.users.contains_key(login) {
        reasons.push(format!("Login '{login}' is already taken."));
    }
    if let Err(e) = check_name("A display name", name) {
        reasons.push(e);
    }
    if roles.is_empty() {
        reasons.push(format!("User '{login}' needs at least one role."));
    }
    for r in roles {
        let ok = !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !ok {
            reasons.push(format!(
                "Role '{}' must be a lowercase word (a-z, 0-9, _ or -).",
                r.escape_default()
            ));
        }
    }
    if secret_hash.trim().is_empty() {
        reasons.push(format!("User '{login}' needs a secret."));
    }
    refuse_if_any(reasons)?;
    let mut unique: Vec<String> = Vec::new();
    for r in roles {
        if !unique.contains(r) {
            unique.push(r.clone());
        }
    }
    Ok(vec![Event::UserAdded {
        user: User {
            login: login.to_string(),
            name: name.to_string(),
            roles: unique,
            secret_hash: secret_hash.to_string(),
            active: true,
            failed_attempts: 0,
            locked_until: None,
            secret_set_by: None,
        },
    }])
}

/// Activate or deactivate a user (admin). Rule (SPEC silent): an admin may not
/// deactivate themself, so the last admin cannot lock everyone out by accident.
fn set_active(cx: &Ctx, login: &str, active: bool) -> Result<Vec<Event>, Refusal> {
    user(cx, login)?;
    if !active && login == cx.by() {
        return Err(Refusal::one("You cannot deactivate your own account."));
    }
    Ok(vec![Event::UserActiveSet {
        login: login.to_string(),
        active,
    }])
}

/// Set a user's secret (admin, or the user themself). A new secret also
/// clears failed attempts and any lockout. A secret set by someone else is
/// marked so: its owner must set their own before anything else, and may not
/// sign with it.
fn set_secret(cx: &Ctx, login: &str, secret_hash: &str) -> Result<Vec<Event>, Refusal> {
    user(cx, login)?;
    if secret_hash.trim().is_empty() {
        return Err(Refusal::one("A secret is required."));
    }
    Ok(vec![Event::UserSecretSet {
        login: login.to_string(),
        secret_hash: secret_hash.to_string(),
        set_by: (login != cx.by()).then(|| cx.by().to_string()),
    }])
}

/// Whether a user may log in now: active and not locked out.
pub fn can_log_in(user: &User, now: Time) -> Result<(), String> {
    if !user.active {
        return Err(format!("User '{}' is not active.", user.login));
    }
    match user.locked_until {
        Some(until) if until > now => Err(format!(
            "Too many wrong secrets: '{}' is locked until {}.",
            user.login,
            format_time(until)
        )),
        _ => Ok(()),
    }
}

/// A wrong secret (anyone may record it). After `lockout_attempts`
/// consecutive failures the user is locked for `lockout_minutes`. Rule (SPEC
/// silent): once a lockout has expired the count starts again from zero.
/// A login no user has is recorded too (so guessing is visible in the
/// trail) and changes nothing.
fn login_failure(cx: &Ctx, login: &str) -> Result<Vec<Event>, Refusal> {
    let Some(u) = cx.world.users.get(login) else {
        return Ok(vec![Event::UnknownLoginFailed {
            login: login.to_string(),
        }]);
    };
    let now = cx.now();
    let expired = u.locked_until.is_some_and(|t| t <= now);
    let previous = if expired { 0 } else { u.failed_attempts };
    let failed_attempts = previous.saturating_add(1);
    let s = &cx.world.settings;
    let locked_until = if failed_attempts >= s.lockout_attempts.max(1) {
        Some(now + Duration::minutes(i64::from(s.lockout_minutes)))
    } else if expired {
        None
    } else {
        u.locked_until
    };
    Ok(vec![Event::LoginFailed {
        login: login.to_string(),
        failed_attempts,
        locked_until,
    }])
}

/// The right secret: refused while the user is inactive or locked out;
/// otherwise the counter resets.
fn login_success(cx: &Ctx, login: &str) -> Result<Vec<Event>, Refusal> {
    let u = user(cx, login)?;
    can_log_in(u, cx.now()).map_err(Refusal::one)?;
    Ok(vec![Event::LoginSucceeded {
        login: login.to_string(),
    }])
}

/// The actor's own secret stored again with new hash parameters. Only the
/// store's sign-in asks for it, right after the secret was verified; the
/// lockout and who set the secret stay as they are.
fn rehash_own_secret(cx: &Ctx, secret_hash: &str) -> Result<Vec<Event>, Refusal> {
    let login = cx.by();
    user(cx, login)?;
    if secret_hash.trim().is_empty() {
        return Err(Refusal::one("A secret is required."));
    }
    Ok(vec![Event::SecretRehashed {
        login: login.to_string(),
        secret_hash: secret_hash.to_string(),
    }])
}

/// Add a part (supervisor or admin): number unique, no control characters.
fn add_part(
    cx: &Ctx,
    number: &str,
    description: &str,
    tracking: Tracking,
) -> Result<Vec<Event>, Refusal> {
    let mut reasons = Vec::new();
    if let Err(e) = check_identifier("A part number", number) {
        reasons.push(e);
    }
    if cx.world.parts.contains_key(number) {
        reasons.push(format!("Part {number} already exists."));
    }
    if description.chars().any(char::is_control) {
        reasons.push("The description contains control characters.".to_string());
    }
    refuse_if_any(reasons)?;
    Ok(vec![Event::PartAdded {
        part: Part {
            number: number.to_string(),
            description: description.trim().to_string(),
            tracking,
        },
    }])
}

/// Receive a serial or lot (supervisor or admin). The identifier is unique
/// across all parts (the store puts any item with that identifier into the
/// world); a serial's quantity is 1, a lot's at least 1. Rule (SPEC silent):
/// a part tracked `none` is received like a lot (a counted bin). When the
/// receiver says whether it is a serial or a lot, that must match the part's
/// tracking: a serial of a lot-tracked part would otherwise become a lot of 1.
fn receive(
    cx: &Ctx,
    part: &str,
    identifier: &str,
    quantity: i64,
    received_as: Option<Tracking>,
) -> Result<Vec<Event>, Refusal> {
    let mut reasons = Vec::new();
    if let Err(e) = check_inventory_identifier("An identifier", identifier) {
        reasons.push(e);
    }
    if let Some(existing) = cx.world.inventory.get(identifier) {
        reasons.push(format!(
            "Identifier '{identifier}' is already used by part {}.",
            existing.part
        ));
    }
    let tracking = match cx.world.parts.get(part) {
        None => {
            reasons.push(format!("Part {part} does not exist."));
            Tracking::Lot
        }
        Some(p) => p.tracking,
    };
    let known = cx.world.parts.contains_key(part);
    let mismatch = received_as
        .filter(|_| known)
        .and_then(|given| tracking_mismatch(part, tracking, given));
    match tracking {
        // A mismatch says it all; the other kind's quantity rule would only repeat it.
        _ if mismatch.is_some() => reasons.extend(mismatch),
        Tracking::Serial if quantity != 1 => reasons.push(format!(
            "Part {part} is serial-tracked: a serial has quantity 1, not {quantity}."
        )),
        Tracking::Lot | Tracking::None if quantity < 1 => reasons.push(format!(
            "A lot needs a quantity of at least 1, got {quantity}."
        )),
        _ => {}
    }
    refuse_if_any(reasons)?;
    Ok(vec![Event::InventoryReceived {
        item: InventoryItem {
            identifier: identifier.to_string(),
            part: part.to_string(),
            tracking,
            quantity,
            state: InventoryState::Available,
            parent: None,
        },
    }])
}

/// Why an item received as `given` does not fit a part tracked `tracking`.
fn tracking_mismatch(part: &str, tracking: Tracking, given: Tracking) -> Option<String> {
    match (tracking, given) {
        (Tracking::Lot, Tracking::Serial) => Some(format!(
            "Part {part} is lot-tracked: receive it as a lot with --lot LOT --quantity Q, not as a serial."
        )),
        (Tracking::None, Tracking::Serial) => Some(format!(
            "Part {part} is not tracked by serial or lot: receive a counted quantity with --lot BIN --quantity Q, not a serial."
        )),
        (Tracking::Serial, Tracking::Lot | Tracking::None) => Some(format!(
            "Part {part} is serial-tracked: receive each unit with --serial SN, not as a lot."
        )),
        _ => None,
    }
}

/// The setting keys and what each accepts.
pub const SETTING_KEYS: [(&str, &str); 12] = [
    ("block_completion_on_open_issues", "true or false"),
    ("require_scan_for_installs", "true or false"),
    ("signer_not_performer", "true or false"),
    ("lockout_attempts", "a whole number from 1 to 1000"),
    ("lockout_minutes", "a whole number from 1 to 100000"),
    ("deviation_not_by_recorder", "true or false"),
    ("close_labour_on_sign_out", "true or false"),
    ("close_labour_on_quit", "true or false"),
    ("close_labour_on_lock", "true or false"),
    ("auto_checkin", "true or false"),
    (
        "stale_after_hours",
        "a whole number of hours from 1 to 100000",
    ),
    (
        "max_session_hours",
        "a whole number of hours from 1 to 100000",
    ),
];

/// The current value of a setting as text.
pub fn setting_value(s: &Settings, key: &str) -> Option<String> {
    Some(match key {
        "block_completion_on_open_issues" => s.block_completion_on_open_issues.to_string(),
        "require_scan_for_installs" => s.require_scan_for_installs.to_string(),
        "signer_not_performer" => s.signer_not_performer.to_string(),
        "lockout_attempts" => s.lockout_attempts.to_string(),
        "lockout_minutes" => s.lockout_minutes.to_string(),
        "deviation_not_by_recorder" => s.deviation_not_by_recorder.to_string(),
        "close_labour_on_sign_out" => s.close_labour_on_sign_out.to_string(),
        "close_labour_on_quit" => s.close_labour_on_quit.to_string(),
        "close_labour_on_lock" => s.close_labour_on_lock.to_string(),
        "auto_checkin" => s.auto_checkin.to_string(),
        "stale_after_hours" => s.stale_after_hours.to_string(),
        "max_session_hours" => s.max_session_hours.to_string(),
        _ => return None,
    })
}

/// Checks and normalises a setting's value ("TRUE" → "true", " 5" → "5").
pub fn normalise_setting(key: &str, value: &str) -> Result<String, String> {
    let Some((_, expects)) = SETTING_KEYS.iter().find(|(k, _)| *k == key) else {
        let keys: Vec<&str> = SETTING_KEYS.iter().map(|(k, _)| *k).collect();
        return Err(format!(
            "There is no setting '{key}'; the settings are {}.",
            keys.join(", ")
        ));
    };
    let v = value.trim().to_lowercase();
    let normal = match key {
        "lockout_attempts" => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .map(|n| n.to_string()),
        "lockout_minutes" | "stale_after_hours" | "max_session_hours" => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .map(|n| n.to_string()),
        _ => (v == "true" || v == "false").then_some(v),
    };
    normal.ok_or_else(|| {
        format!(
            "Setting {key} expects {expects}, got '{}'.",
            value.escape_default()
        )
    })
}

/// Change an org setting (admin). Every change is an audited event.
fn set_setting(cx: &Ctx, key: &str, value: &str) -> Result<Vec<Event>, Refusal> {
    let to = normalise_setting(key, value).map_err(Refusal::one)?;
    let from = setting_value(&cx.world.settings, key).unwrap_or_default();
    Ok(vec![Event::SettingChanged {
        key: key.to_string(),
        from,
        to,
    }])
}
