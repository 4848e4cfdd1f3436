//! A server's settings, typed and checked: scoring rules, seconds per question, the
//! instructor role, anonymous leaderboards.
//!
//! Invariant: settings are checked before they are stored and again when read (a row edited
//! by hand cannot break scoring); a server without settings gets the defaults. They live in
//! the store as one JSON object, so a later version can add a field without a migration.

use serde::{Deserialize, Serialize};

use crate::app::error::UserError;
use crate::scoring::Rules;

/// The shortest and longest time a live question may stay open, in seconds.
pub const SECONDS: std::ops::RangeInclusive<u32> = 5..=900;

/// One server's settings. Every field has a default, so a stored object may name only what
/// it changes; fields this version does not know (written by a newer one) are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Points by difficulty, speed and streak bonuses (see `scoring`).
    pub scoring: Rules,
    /// How long a live question stays open when the instructor does not say.
    pub default_seconds: u32,
    /// Members with this role (a Discord role id) may run rounds, besides those with Manage Server.
    pub instructor_role: Option<String>,
    /// Leaderboards show "Student 1", "Student 2"… instead of names.
    pub anonymous_leaderboard: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { scoring: Rules::default(), default_seconds: 30, instructor_role: None, anonymous_leaderboard: false }
    }
}

/// What an instructor may change at once; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub default_seconds: Option<u32>,
    pub speed_bonus: Option<bool>,
    /// `Some(None)` clears the role.
    pub instructor_role: Option<Option<String>>,
    pub anonymous_leaderboard: Option<bool>,
}

impl Settings {
    /// Reads stored settings; `None` (a server never configured) gives the defaults.
    pub fn from_json(json: Option<&str>) -> Result<Settings, String> {
        let Some(json) = json else { return Ok(Settings::default()) };
        let settings: Settings = serde_json::from_str(json).map_err(|e| format!("the stored settings are not valid: {e}"))?;
        settings.check().map_err(|e| e.to_string())?;
        Ok(settings)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Checks every setting; the message says which and what is allowed.
    pub fn check(&self) -> Result<(), UserError> {
        self.scoring.check().map_err(|e| UserError::BadSetting(format!("scoring: {e}")))?;
        if !SECONDS.contains(&self.default_seconds) {
            return Err(UserError::BadSetting(format!(
                "seconds per question must be between {} and {}, not {}",
                SECONDS.start(),
                SECONDS.end(),
                self.default_seconds
            )));
        }
        Ok(())
    }

    /// These settings with `change` applied and checked.
    pub fn apply(&self, change: &SettingsChange) -> Result<Settings, UserError> {
        let mut s = self.clone();
        if let Some(seconds) = change.default_seconds {
            s.default_seconds = seconds;
        }
        if let Some(on) = change.speed_bonus {
            s.scoring.speed_bonus = on;
        }
        if let Some(role) = &change.instructor_role {
            s.instructor_role = role.clone();
        }
        if let Some(anonymous) = change.anonymous_leaderboard {
            s.anonymous_leaderboard = anonymous;
        }
        s.check()?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_without_settings_gets_the_defaults_and_partial_objects_keep_them() {
        assert_eq!(Settings::from_json(None).unwrap(), Settings::default());
        let s = Settings::from_json(Some(r#"{"scoring": {"speed_bonus": false}}"#)).unwrap();
        assert!(!s.scoring.speed_bonus);
        assert_eq!(s.default_seconds, 30);
        assert!(Settings::from_json(Some(r#"{"scoring": {"points": [30, 20, 10]}}"#)).is_err(), "points that fall with difficulty are refused");
        assert_eq!(Settings::from_json(Some(r#"{"language": "en"}"#)).unwrap(), Settings::default(), "a newer version's field is ignored");
    }

    #[test]
    fn changes_are_checked_before_they_apply() {
        let s = Settings::default();
        let err = s.apply(&SettingsChange { default_seconds: Some(2), ..Default::default() }).unwrap_err();
        assert_eq!(err.to_string(), "That setting is not allowed: seconds per question must be between 5 and 900, not 2.");
        let s = s
            .apply(&SettingsChange { speed_bonus: Some(false), instructor_role: Some(Some("42".into())), anonymous_leaderboard: Some(true), default_seconds: Some(45) })
            .unwrap();
        assert_eq!((s.scoring.speed_bonus, s.instructor_role.as_deref(), s.anonymous_leaderboard, s.default_seconds), (false, Some("42"), true, 45));
        assert_eq!(Settings::from_json(Some(&s.to_json())).unwrap(), s);
    }
}
