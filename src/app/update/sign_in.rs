//! Signing in (login then PIN, or a badge scan then PIN), and the idle lock,
//! which asks the same user for the PIN, or lets another user sign in, while
//! the screen underneath stays exactly as it was.

use super::board;
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{NewPin, Screen, SignIn, SignInFocus, State, Status};
use crate::app::text_input::Edit;
use crate::domain::Actor;

pub fn lock(state: &mut State) {
    let Some(actor) = &state.session else {
        return;
    };
    state.locked = true;
    // A PIN typed into a sign-off prompt is not left for the next person.
    if let Some(crate::app::state::Overlay::Form(form)) = &mut state.overlay {
        form.clear_secrets();
    }
    state.sign_in = SignIn {
        login: crate::app::text_input::TextInput::new(&actor.login),
        focus: SignInFocus::Pin,
        ..SignIn::default()
    };
}

pub fn on_edit(state: &mut State, edit: &Edit) {
    let form = &mut state.sign_in;
    if form.busy {
        return;
    }
    form.error = None;
    if let Some(new) = &mut form.new_pin {
        new_pin_box(new).apply(edit);
        return;
    }
    match form.focus {
        SignInFocus::Login => form.login.apply(edit),
        SignInFocus::Pin => form.pin.apply(edit),
    }
}

fn new_pin_box(new: &mut NewPin) -> &mut crate::app::text_input::TextInput {
    if new.on_again {
        &mut new.again
    } else {
        &mut new.first
    }
}

/// The PIN was right, but someone else set it: the user types a new one
/// twice before getting in. Nothing is open until then.
pub fn new_pin_needed(state: &mut State, actor: crate::domain::Actor, set_by: String) {
    let form = &mut state.sign_in;
    form.busy = false;
    form.error = None;
    form.new_pin = Some(NewPin {
        actor,
        set_by,
        first: Default::default(),
        again: Default::default(),
        on_again: false,
    });
}

pub fn new_pin_refused(state: &mut State, sentence: String) {
    let form = &mut state.sign_in;
    form.busy = false;
    form.error = Some(sentence);
    if let Some(new) = &mut form.new_pin {
        new.first.clear();
        new.again.clear();
        new.on_again = false;
    }
}

fn on_new_pin_action(state: &mut State, action: Action) -> Vec<Effect> {
    let form = &mut state.sign_in;
    let Some(new) = &mut form.new_pin else {
        return Vec::new();
    };
    match action {
        Action::NextField | Action::PrevField => {
            new.on_again = !new.on_again;
            Vec::new()
        }
        Action::Back => {
            // Leaving keeps the given PIN and signs nobody in.
            state.sign_in = SignIn::default();
            state.sign_in.error =
                Some("Not signed in: a new PIN of your own is needed first.".into());
            Vec::new()
        }
        Action::Open => {
            if new.first.is_empty() {
                new.on_again = false;
                return Vec::new();
            }
            if !new.on_again || new.again.is_empty() {
                new.on_again = true;
                return Vec::new();
            }
            if new.first.value() != new.again.value() {
                new.first.clear();
                new.again.clear();
                new.on_again = false;
                form.error = Some("The two PINs differ; type the new PIN twice again.".into());
                return Vec::new();
            }
            let secret = new.first.value().to_string();
            let actor = new.actor.clone();
            new.first.clear();
            new.again.clear();
            form.busy = true;
            vec![Effect::ReplaceGivenPin { actor, secret }]
        }
        _ => Vec::new(),
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let form = &mut state.sign_in;
    if form.busy {
        return Vec::new();
    }
    if form.new_pin.is_some() {
        return on_new_pin_action(state, action);
    }
    match action {
        Action::NextField | Action::PrevField => {
            form.focus = match form.focus {
                SignInFocus::Login => SignInFocus::Pin,
                SignInFocus::Pin => SignInFocus::Login,
            };
            Vec::new()
        }
        Action::Back => {
            form.pin.clear();
            form.login.clear();
            form.focus = SignInFocus::Login;
            form.error = None;
            Vec::new()
        }
        Action::Open => submit(state),
        _ => Vec::new(),
    }
}

fn submit(state: &mut State) -> Vec<Effect> {
    let form = &mut state.sign_in;
    let login = form.login.value().trim().to_string();
    if login.is_empty() {
        form.focus = SignInFocus::Login;
        form.error = Some("Type your login or scan your badge.".to_string());
        return Vec::new();
    }
    if form.focus == SignInFocus::Login || form.pin.is_empty() {
        form.focus = SignInFocus::Pin;
        return Vec::new();
    }
    let secret = form.pin.value().to_string();
    form.pin.clear();
    form.busy = true;
    vec![Effect::Authenticate { login, secret }]
}

/// A badge scan types the login and Enter: ask for the PIN next.
pub fn on_scan(state: &mut State, text: &str) -> Vec<Effect> {
    let form = &mut state.sign_in;
    if form.busy {
        return Vec::new();
    }
    form.error = None;
    if let Some(new) = &mut form.new_pin {
        // A scan here is typed into the box, and its Enter moves on.
        new_pin_box(new).insert_str(text.trim());
        return on_new_pin_action(state, Action::Open);
    }
    match form.focus {
        SignInFocus::Login => {
            form.login.set(text.trim());
            form.focus = SignInFocus::Pin;
            Vec::new()
        }
        SignInFocus::Pin => {
            form.pin.insert_str(text);
            submit(state)
        }
    }
}

pub fn signed_in(state: &mut State, result: Result<Actor, String>) -> Vec<Effect> {
    state.sign_in.busy = false;
    let actor = match result {
        Ok(actor) => actor,
        Err(sentence) => {
            state.sign_in.error = Some(sentence);
            state.sign_in.focus = SignInFocus::Pin;
            return Vec::new();
        }
    };
    state.sign_in = SignIn::default();
    state.last_input = state.now;
    let previous = state.session.replace(actor.clone());
    let mut effects = Vec::new();
    if let Some(p) = previous.as_ref().filter(|p| p.login != actor.login) {
        effects.push(super::leaving::close_sessions(
            p,
            crate::domain::LeaveCause::SignOut,
        ));
        // The counts were the previous user's roles'.
        state.quality_counts = None;
        effects.push(Effect::CountQuality {
            actor: actor.clone(),
        });
    }
    if state.locked {
        state.locked = false;
        state.status = Some(match previous {
            Some(p) if p.login == actor.login => {
                Status::info(format!("Unlocked. Welcome back, {}.", actor.name))
            }
            Some(p) if state.discard_unsaved_work() => Status::info(format!(
                "Signed in as {}. What {} typed and did not save was discarded.",
                actor.name, p.name
            )),
            Some(p) => Status::info(format!(
                "Signed in as {}. The screen is as {} left it.",
                actor.name, p.name
            )),
            None => Status::info(format!("Signed in as {}.", actor.name)),
        });
        return effects;
    }
    state.status = Some(Status::info(format!(
        "Signed in as {} ({}).",
        actor.name,
        actor.roles.join(", ")
    )));
    // A quality engineer's day starts at their queue, not the board.
    if actor.has_role(crate::domain::QUALITY) {
        state.screen = Screen::Quality;
        return super::quality::reload(state);
    }
    state.screen = Screen::Board;
    board::reload(state)
}
