//! The station's own settings (config.toml): database path, station name,
//! idle lock, stuck threshold, theme and key remapping. Org-wide rules live in
//! the database, not here. Every setting has a default built into the binary;
//! config.example.toml documents them all.

use crate::app::action::Action;
use crate::app::keymap::{KeyBinding, KeyList, Keymap};
use crate::app::scan::{self, ScanSettings};
use anyhow::{anyhow, Result};
use ratatui::crossterm::event::KeyCode;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    Mono,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The SQLite database; `None` lets the caller pick its default.
    pub database: Option<PathBuf>,
    /// This terminal's name, recorded on every audit event.
    pub station: String,
    /// Minutes without a key before the screen locks (0 = never).
    pub idle_lock_minutes: u32,
    /// No longer read: the board's threshold is the org setting
    /// `stale_after_hours`, the same on every terminal. Still accepted so
    /// existing station files load.
    pub stuck_after_hours: u32,
    pub theme: ThemeName,
    /// The largest file a file field may attach, in MB (1 MB = 1,048,576 bytes).
    pub max_attachment_mb: u32,
    /// The largest procedure or redline step file read, in MB.
    pub max_procedure_mb: u32,
    /// Remapped keys, by action; actions not named keep their default keys.
    pub keys: BTreeMap<Action, KeyList>,
    /// How this station's scanner is told from a person (see `app::scan`).
    pub scan: ScanSettings,
    /// Number fields take a decimal comma (`45,2`) as well as a point.
    pub decimal_comma: bool,
    /// Where the settings were read from, if a file was read.
    pub source: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: None,
            station: default_station(),
            idle_lock_minutes: 10,
            stuck_after_hours: 48,
            theme: ThemeName::Dark,
            max_attachment_mb: crate::store::DEFAULT_MAX_ATTACHMENT_MB,
            max_procedure_mb: DEFAULT_MAX_PROCEDURE_MB,
            keys: BTreeMap::new(),
            scan: ScanSettings::default(),
            decimal_comma: false,
            source: None,
        }
    }
}

/// The file as written: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    database: Option<PathBuf>,
    station: Option<String>,
    idle_lock_minutes: Option<u32>,
    stuck_after_hours: Option<u32>,
    theme: Option<ThemeName>,
    max_attachment_mb: Option<u32>,
    max_procedure_mb: Option<u32>,
    scan_prefix: Option<String>,
    scan_suffix: Option<String>,
    scan_heuristic: Option<bool>,
    scan_gap_ms: Option<u64>,
    decimal_comma: Option<bool>,
    #[serde(default)]
    keys: BTreeMap<Action, KeyList>,
}

/// The scanner settings as written: keys named as in `[keys]`; the
/// heuristic is on unless a prefix is set (or it is turned off).
fn scan_settings(file: &ConfigFile) -> std::result::Result<ScanSettings, String> {
    let key = |name: &str,
               text: &Option<String>|
     -> std::result::Result<Option<KeyBinding>, String> {
        text.as_deref()
            .map(|t| {
                KeyBinding::parse(t).map_err(|e| {
                    format!("{name}: {e} (e.g. {name} = \"f12\" or \"ctrl-b\", as the scanner is set to send).")
                })
            })
            .transpose()
    };
    let prefix = key("scan_prefix", &file.scan_prefix)?;
    let suffix = key("scan_suffix", &file.scan_suffix)?;
    if prefix.is_some() && prefix == suffix {
        return Err("scan_prefix and scan_suffix must be different keys.".to_string());
    }
    if prefix.is_some_and(|p| p.is_plain_char() || p.code == KeyCode::Enter) {
        return Err(
            "scan_prefix must be a key nobody types into a box (a function key or ctrl-…), e.g. scan_prefix = \"f12\"."
                .to_string(),
        );
    }
    let gap_ms = file.scan_gap_ms.unwrap_or(scan::DEFAULT_GAP_MS);
    if !(10..=500).contains(&gap_ms) {
        return Err(format!(
            "scan_gap_ms must be between 10 and 500 (milliseconds), not {gap_ms}, e.g. scan_gap_ms = 100."
        ));
    }
    Ok(ScanSettings {
        heuristic: file.scan_heuristic.unwrap_or(prefix.is_none()),
        prefix,
        suffix,
        gap_ms,
    })
}

/// The station default for `max_procedure_mb`: procedure files are text,
/// far smaller than this.
pub const DEFAULT_MAX_PROCEDURE_MB: u32 = 5;

fn default_station() -> String {
    let name = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string();
    if name.is_empty() {
        "station".to_string()
    } else {
        name
    }
}

/// `config.toml` in the platform's config folder (e.g. ~/.config/traveler/).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "traveler").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Reads the station config. With no `path`, the default location is
    /// used and a missing file means defaults; a missing explicit file, or a
    /// file that does not parse, is an error naming the file, line, column,
    /// key and what was expected.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let (file, explicit) = match path {
            Some(p) => (Some(p.to_path_buf()), true),
            None => (default_path(), false),
        };
        let Some(file) = file else {
            return Ok(Config::default());
        };
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(anyhow!(
                    "Could not read the config file {}: {e}.",
                    file.display()
                ))
            }
        };
        let mut config = Config::parse(&text).map_err(|e| anyhow!("{}: {e}", file.display()))?;
        config.source = Some(file);
        Ok(config)
    }

    /// Parses config text; errors are sentences with line, column and key.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| describe_toml_error(text, &e))?;
        let defaults = Config::default();
        if let Some(station) = &file.station {
            if station.trim().is_empty() || station.chars().any(char::is_control) {
                return Err(
                    "station must be a name without control characters, e.g. station = \"cell-3\"."
                        .to_string(),
                );
            }
        }
        for (key, value) in [
            ("max_attachment_mb", file.max_attachment_mb),
            ("max_procedure_mb", file.max_procedure_mb),
        ] {
            if value == Some(0) {
                return Err(format!(
                    "{key} must be at least 1 (megabytes), e.g. {key} = 10."
                ));
            }
        }
        let scan = scan_settings(&file)?;
        let config = Config {
            scan,
            decimal_comma: file.decimal_comma.unwrap_or(false),
            database: file.database,
            station: file.station.unwrap_or(defaults.station),
            idle_lock_minutes: file.idle_lock_minutes.unwrap_or(defaults.idle_lock_minutes),
            stuck_after_hours: file.stuck_after_hours.unwrap_or(defaults.stuck_after_hours),
            theme: file.theme.unwrap_or_default(),
            max_attachment_mb: file.max_attachment_mb.unwrap_or(defaults.max_attachment_mb),
            max_procedure_mb: file.max_procedure_mb.unwrap_or(defaults.max_procedure_mb),
            keys: file.keys,
            source: None,
        };
        config.keymap()?;
        Ok(config)
    }

    /// The keymap: built-in keys with this config's remapping.
    pub fn keymap(&self) -> std::result::Result<Keymap, String> {
        Keymap::with_overrides(&self.keys)
    }
}

/// "line 3, column 21, at `idle_lock_minutes = "ten"`: invalid type: string "ten", expected u32".
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().trim_end_matches('.').to_string();
    let Some(span) = error.span() else {
        return format!("{message}.");
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    // The whole line names the key at fault and the value given.
    let at = text
        .lines()
        .nth(line - 1)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match at {
        Some(at) => format!("line {line}, column {column}, at `{at}`: {message}."),
        None => format!("line {line}, column {column}: {message}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.idle_lock_minutes, 10);
        assert_eq!(c.stuck_after_hours, 48);
        assert_eq!(c.theme, ThemeName::Dark);
    }

    #[test]
    fn bad_value_names_line_and_key() {
        let e = Config::parse("station = \"a\"\nidle_lock_minutes = \"ten\"\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("ten"), "{e}");
    }

    #[test]
    fn unknown_action_is_refused() {
        let e = Config::parse("[keys]\nchek_in = \"i\"\n").unwrap_err();
        assert!(e.contains("chek_in"), "{e}");
    }

    #[test]
    fn conflicting_keys_are_refused() {
        let e = Config::parse("[keys]\ncheck_in = \"c\"\n").unwrap_err();
        assert!(e.contains("check_in") && e.contains("complete"), "{e}");
    }

    #[test]
    fn file_limits_default_and_refuse_zero() {
        let c = Config::parse("").unwrap();
        assert_eq!((c.max_attachment_mb, c.max_procedure_mb), (50, 5));
        let e = Config::parse("max_attachment_mb = 0\n").unwrap_err();
        assert!(e.contains("max_attachment_mb"), "{e}");
    }

    #[test]
    fn scanner_settings_parse_and_a_prefix_turns_the_heuristic_off() {
        let c = Config::parse("").unwrap();
        assert!(c.scan.heuristic && c.scan.prefix.is_none() && !c.decimal_comma);
        let c =
            Config::parse("scan_prefix = \"f12\"\nscan_suffix = \"tab\"\ndecimal_comma = true\n")
                .unwrap();
        assert_eq!(c.scan.prefix, Some(KeyBinding::parse("f12").unwrap()));
        assert_eq!(c.scan.suffix, Some(KeyBinding::parse("tab").unwrap()));
        assert!(!c.scan.heuristic);
        assert!(c.decimal_comma);
    }

    #[test]
    fn a_typeable_or_unknown_prefix_is_refused_with_an_example() {
        let e = Config::parse("scan_prefix = \"x\"\n").unwrap_err();
        assert!(e.contains("scan_prefix") && e.contains("f12"), "{e}");
        let e = Config::parse("scan_prefix = \"bogus-key\"\n").unwrap_err();
        assert!(e.contains("scan_prefix"), "{e}");
        let e = Config::parse("scan_gap_ms = 5000\n").unwrap_err();
        assert!(e.contains("scan_gap_ms"), "{e}");
    }

    #[test]
    fn example_config_parses() {
        Config::parse(include_str!("../config.example.toml")).unwrap();
    }
}
