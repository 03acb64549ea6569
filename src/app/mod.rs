//! The terminal UI's driver and behaviour: keys → actions (keymap) →
//! messages → pure `update(&mut State, Msg) -> Vec<Effect>` → effects run
//! against the store → answers as messages → `ui::render`.

pub mod action;
mod driver;
pub mod effect;
pub mod form;
pub mod input;
pub mod keymap;
pub mod msg;
pub mod offered;
pub mod run_effects;
pub mod scan;
mod shutdown;
pub mod signed_values;
pub mod state;
pub mod step_items;
pub mod text_input;
pub mod update;

pub use action::{Action, Context};
pub use driver::run_tui;
pub use effect::Effect;
pub use msg::Msg;
pub use state::State;
pub use update::update;
